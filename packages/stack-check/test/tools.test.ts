import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { FILES, REPO_ROOT } from "../src/load";
import { runTool, TOOLS } from "../src/tools";

const tmp = mkdtempSync(path.join(tmpdir(), "stack-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Where compose mounts the secrets stack-init writes (the metrics token); promtool checks the file exists. */
const SECRETS_MOUNT = "/etc/prometheus/secrets/";

/** The shipped prometheus.yml with its secret files laid out under the temp dir, as written to `name`. */
function withSecretsInTmp(name: string): string {
  const secrets = path.join(tmp, "secrets");
  mkdirSync(secrets, { recursive: true });
  const text = readFileSync(path.join(REPO_ROOT, FILES.prometheus), "utf8");
  for (const m of text.matchAll(/credentials_file: (\S+)/g)) {
    expect(m[1]!.startsWith(SECRETS_MOUNT), `${m[1]} is under the secrets mount`).toBe(true);
    writeFileSync(path.join(secrets, path.basename(m[1]!)), "token");
  }
  const out = path.join(tmp, name);
  writeFileSync(out, text.split(SECRETS_MOUNT).join(`${secrets}/`));
  return out;
}

describe("promtool check config", () => {
  it("accepts docker/prometheus/prometheus.yml (rule_files glob may match nothing)", () => {
    const r = runTool(TOOLS.promtool.bin, ["check", "config", withSecretsInTmp("shipped-prometheus.yml")]);
    expect(r.output).toContain("SUCCESS");
    expect(r.code, r.output).toBe(0);
  });

  it("loads Burnrate rule files through the rule_files glob", () => {
    // Same config with the rules directory moved to a temp dir holding one SLO rule file.
    const cfg = parse(readFileSync(withSecretsInTmp("with-secrets.yml"), "utf8"));
    const rulesDir = path.join(tmp, "rules");
    mkdirSync(rulesDir, { recursive: true });
    cfg.rule_files = cfg.rule_files.map((g: string) => path.join(rulesDir, path.basename(g)));
    writeFileSync(
      path.join(rulesDir, "slo-checkout-availability.yml"),
      stringify({
        groups: [
          {
            name: "slo-checkout-availability-sli",
            rules: [
              {
                record: "slo:sli_error:rate5m",
                expr: 'sum(rate(http_requests_total{job="demo",service="checkout",code=~"5.."}[5m]))',
                labels: { slo: "checkout-availability", service: "checkout", team: "payments", tier: "1" },
              },
            ],
          },
        ],
      }),
    );
    const cfgPath = path.join(tmp, "prometheus.yml");
    writeFileSync(cfgPath, stringify(cfg));
    const r = runTool(TOOLS.promtool.bin, ["check", "config", cfgPath]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/1 rules? found/);
  });

  it("fails on a broken config (the tool really validates)", () => {
    const bad = path.join(tmp, "bad-prometheus.yml");
    writeFileSync(bad, "scrape_configs:\n  - job_name: x\n    static_configs:\n      - targets: [\"a:1\"]\n    scrape_interval: soon\n");
    expect(runTool(TOOLS.promtool.bin, ["check", "config", bad]).code).not.toBe(0);
  });
});

describe("amtool check-config", () => {
  it("accepts docker/alertmanager/alertmanager.yml", () => {
    const r = runTool(TOOLS.amtool.bin, ["check-config", path.join(REPO_ROOT, FILES.alertmanager)]);
    expect(r.output).toContain("SUCCESS");
    expect(r.code, r.output).toBe(0);
  });

  it("fails on a route to an undefined receiver", () => {
    const bad = path.join(tmp, "bad-alertmanager.yml");
    writeFileSync(bad, "route:\n  receiver: nobody\nreceivers:\n  - name: somebody\n");
    expect(runTool(TOOLS.amtool.bin, ["check-config", bad]).code).not.toBe(0);
  });
});
