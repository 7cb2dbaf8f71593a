import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseNames, loadCase, resolvedAlertmanagerConfig, TESTDATA } from "./support/cases";
import { AMTOOL, requireTool, run } from "./support/tools";

const names = caseNames();
const CONFIG = join(TESTDATA, "availability-30d", "alertmanager.yaml");

function routesTest(config: string, expected: string, labels: string[]) {
  return run(AMTOOL, ["config", "routes", "test", `--config.file=${config}`, `--verify.receivers=${expected}`, ...labels]);
}

describe("amtool check-config", () => {
  it("amtool is installed", () => {
    expect(requireTool(AMTOOL)).toBe(AMTOOL);
  });

  it.each(names)("accepts %s/alertmanager.yaml", async (n) => {
    const r = await run(AMTOOL, ["check-config", join(TESTDATA, n, "alertmanager.yaml")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("SUCCESS");
  });

  it("accepts the production defaults (no test timers)", async () => {
    const c = loadCase("availability-30d");
    const { groupWait: _w, groupInterval: _i, ...prod } = c.amOptions;
    const text = resolvedAlertmanagerConfig(c, prod);
    expect(text).toContain("group_wait: 30s");
    const p = join(mkdtempSync(join(tmpdir(), "burnrate-am-")), "am.yml");
    writeFileSync(p, text);
    const r = await run(AMTOOL, ["check-config", p]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe("amtool config routes test --verify.receivers", () => {
  const cases: Array<[string, string, string[]]> = [
    ["team A page goes to A's page receivers and a copy to Burnrate", "burnrate-default,payments/audit,payments/oncall", ["alertname=SLOErrorBudgetBurn", "severity=page", "team=payments", "slo=checkout-availability"]],
    ["team A ticket goes to A's ticket receivers only", "payments/audit,payments/chat", ["alertname=SLOErrorBudgetBurn", "severity=ticket", "team=payments", "slo=checkout-availability"]],
    ["team B ticket goes to B's email", "search/mail", ["severity=ticket", "team=search", "slo=search-latency"]],
    ["team B page without a page receiver falls back to the default", "burnrate-default", ["severity=page", "team=search"]],
    ["unknown team goes to the default receiver", "burnrate-default", ["severity=page", "team=nobody"]],
    ["infrastructure alert without team goes to the default receiver", "burnrate-default", ["alertname=TargetDown", "severity=ticket"]],
    ["ServiceDown joined to its team pages that team (no SLO copy)", "payments/audit,payments/oncall", ["alertname=ServiceDown", "severity=page", "team=payments", "service=checkout"]],
  ];
  it.each(cases)("%s", async (_name, expected, labels) => {
    const r = await routesTest(CONFIG, expected, labels);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(expected);
  });

  it("fails on a wrong expectation (verification is real)", async () => {
    const r = await routesTest(CONFIG, "payments/oncall", ["severity=ticket", "team=payments", "slo=x"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("did not match");
  });
});

describe("meta-alert routes (alerts on Burnrate itself)", () => {
  const c = loadCase("availability-30d");
  const dir = mkdtempSync(join(tmpdir(), "burnrate-am-meta-"));
  const withSwitch = join(dir, "with-switch.yml");
  const silent = join(dir, "silent.yml");
  writeFileSync(withSwitch, resolvedAlertmanagerConfig(c, { ...c.amOptions, meta: { adminWebhookUrl: "http://admins.example/hook", deadMansSwitchUrl: "http://dms.example/hook" } }));
  writeFileSync(silent, resolvedAlertmanagerConfig(c, { ...c.amOptions, meta: {} }));

  it("amtool accepts both configs", async () => {
    requireTool(AMTOOL);
    for (const f of [withSwitch, silent]) {
      const r = await run(AMTOOL, ["check-config", f]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });
  const cases: Array<[string, string, string[]]> = [
    ["push failing goes to the administrators only", "burnrate-admins", ["alertname=BurnratePushFailing", "burnrate_meta=admin", "severity=ticket", "target=prom"]],
    ["the Watchdog goes to the dead man's switch, never a team pager", "burnrate-deadmans-switch", ["alertname=BurnrateWatchdog", "burnrate_meta=watchdog", "severity=none"]],
    ["SLO alerts are unchanged", "burnrate-default,payments/audit,payments/oncall", ["alertname=SLOErrorBudgetBurn", "severity=page", "team=payments", "slo=checkout-availability"]],
  ];
  it.each(cases)("%s", async (_name, expected, labels) => {
    for (const f of [withSwitch, silent]) {
      const r = await routesTest(f, expected, labels);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });
});
