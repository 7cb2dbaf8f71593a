import { promises as fs } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertmanagerFileTarget } from "../src/push";
import { AMTOOL_BIN, startAlertmanager, type AlertmanagerHandle } from "./helpers/servers";

// Each receiver Alertmanager's amtool refuses is left out of the config (even when every team
// receiver is bad); the others and their routes deploy. When the config fails even without any team
// receiver the cause is shared: nothing is left out and the push fails.

const RECEIVERS: Record<string, string> = {
  "team-a/pager": "http://127.0.0.1:9/a",
  "team-b/hook": "ftp://127.0.0.1/not-http",
  "team-c/pager": "http://127.0.0.1:9/c",
};

function config(receivers: Record<string, string>, without: ReadonlySet<string>, defaultReceiver = "default"): string {
  const names = Object.keys(receivers).filter((n) => !without.has(n));
  return [
    "route:",
    `  receiver: ${defaultReceiver}`,
    "  group_wait: 1s",
    "  routes:",
    ...names.map((n) => `    - receiver: ${JSON.stringify(n)}\n      matchers: ['team="${n.split("/")[0]}"']`),
    "receivers:",
    "  - name: default",
    ...names.map((n) => `  - name: ${JSON.stringify(n)}\n    webhook_configs: [{url: ${JSON.stringify(receivers[n])}}]`),
    "",
  ].join("\n");
}

describe("AlertmanagerFileTarget against a real Alertmanager and amtool", () => {
  let am: AlertmanagerHandle;
  let target: AlertmanagerFileTarget;
  beforeAll(async () => {
    am = await startAlertmanager({ portRange: [19370, 19389] });
    target = new AlertmanagerFileTarget({ url: am.url, configPath: am.configFile, amtoolPath: AMTOOL_BIN, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await am?.cleanup();
  });

  it("leaves out the one receiver amtool refuses and deploys the others", async () => {
    const build = async (without: ReadonlySet<string>) => config(RECEIVERS, without);
    const r = await target.push({ files: [{ path: "alertmanager.yml", content: config(RECEIVERS, new Set()) }], isolate: { items: Object.keys(RECEIVERS), build } });
    expect(r).toMatchObject({ ok: true, changed: true, quarantined: [{ owner: "team-b/hook", stage: "validate", reason: expect.stringMatching(/amtool check-config failed: .*ftp/s) }] });
    const live = await fs.readFile(am.configFile, "utf8");
    expect(live).toContain("team-a/pager");
    expect(live).toContain("team-c/pager");
    expect(live).not.toContain("team-b/hook");
  });

  it("without isolation items, a refused config fails as a whole and the live config stays", async () => {
    const before = await fs.readFile(am.configFile, "utf8");
    const r = await target.push({ files: [{ path: "alertmanager.yml", content: config(RECEIVERS, new Set()) }] });
    expect(r).toMatchObject({ ok: false, stage: "validate", quarantined: [] });
    expect(await fs.readFile(am.configFile, "utf8")).toBe(before);
  });

  it("two bad receivers are both left out and the default route deploys (the config without them passes)", async () => {
    const bad = { "x/one": "ftp://a", "y/two": "ftp://b" };
    const r = await target.push({ files: [{ path: "alertmanager.yml", content: config(bad, new Set()) }], isolate: { items: Object.keys(bad), build: async (w) => config(bad, w) } });
    expect(r).toMatchObject({ ok: true, quarantined: [{ owner: "x/one" }, { owner: "y/two" }] });
    expect(await fs.readFile(am.configFile, "utf8")).not.toContain("ftp://");
  });

  it("a shared cause (the config fails even without any team receiver) leaves nothing out and fails", async () => {
    const before = await fs.readFile(am.configFile, "utf8");
    const build = async (w: ReadonlySet<string>) => config(RECEIVERS, w, "no-such-receiver");
    const r = await target.push({ files: [{ path: "alertmanager.yml", content: await build(new Set()) }], isolate: { items: Object.keys(RECEIVERS), build } });
    expect(r).toMatchObject({ ok: false, stage: "validate", quarantined: [] });
    expect(await fs.readFile(am.configFile, "utf8")).toBe(before);
  });
});
