import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError, parseSampleValue } from "../src/http";
import { PrometheusClient } from "../src/prometheus";
import { startPrometheus, type PrometheusHandle } from "./helpers/servers";

describe("PrometheusClient against a real Prometheus 2.42", () => {
  let prom: PrometheusHandle;
  let c: PrometheusClient;

  beforeAll(async () => {
    prom = await startPrometheus({ portRange: [19310, 19329] });
    await fs.writeFile(
      path.join(prom.rulesDir, "slo-client.yml"),
      `groups:
  - name: client
    interval: 1s
    rules:
      - record: test:one
        expr: vector(1)
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: {severity: page}
        annotations: {summary: "always"}
`,
    );
    c = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5000 });
    await c.reload();
  });
  afterAll(async () => {
    await prom?.cleanup();
  });

  it("reports build, runtime and readiness", async () => {
    expect(await c.ready()).toBe(true);
    expect((await c.buildInfo()).version).toMatch(/^2\./);
    const rt = await c.runtimeInfo();
    expect(rt.reloadConfigSuccess).toBe(true);
    expect(await c.configReloadSuccessful()).toMatchObject({ successful: true, source: "runtimeinfo" });
  });

  it("runs instant and range queries", async () => {
    const q = await c.query("vector(42)");
    expect(q.data.resultType).toBe("vector");
    if (q.data.resultType === "vector") expect(parseSampleValue(q.data.result[0]!.value![1])).toBe(42);
    const s = await c.query("scalar(vector(3))", new Date());
    expect(s.data.resultType).toBe("scalar");
    const now = Math.floor(Date.now() / 1000);
    const r = await c.queryRange("vector(1)", now - 600, now, 60);
    expect(r.data.result[0]!.values!.length).toBe(11);
    await expect(c.queryRange("vector(1)", now - 30 * 86400, now, 60)).rejects.toThrow(/use step >= 236s/);
  });

  it("surfaces PromQL errors from the envelope", async () => {
    const err = await c.query("sum(").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).message).toMatch(/^Prometheus query failed \(HTTP 400, bad_data\): .*parse error/);
  });

  it("lists rules and alerts", async () => {
    const groups = await c.rules();
    expect(groups.map((g) => g.name)).toEqual(["client"]);
    expect(groups[0]!.rules.map((r) => r.type)).toEqual(["recording", "alerting"]);
    expect((await c.rules({ type: "record" }))[0]!.rules.map((r) => r.name)).toEqual(["test:one"]);
    // the alert becomes active after the first evaluation
    let alerts = await c.alerts();
    for (let i = 0; i < 40 && alerts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = await c.alerts();
    }
    expect(alerts[0]).toMatchObject({ labels: { alertname: "AlwaysFiring", severity: "page" } });
  });

  it("reload returns the 500 for a broken rules file and keeps the old rules", async () => {
    const bad = path.join(prom.rulesDir, "slo-broken.yml");
    await fs.writeFile(bad, "groups:\n  - name: broken\n    rules:\n      - record: x\n        expr: sum(\n");
    try {
      const err = await c.reload().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).status).toBe(500);
      expect((err as UpstreamError).message).toMatch(/^Prometheus reload failed \(HTTP 500\): failed to reload config/);
      expect((await c.configReloadSuccessful()).successful).toBe(false);
      expect((await c.rules()).map((g) => g.name)).toEqual(["client"]);
    } finally {
      await fs.rm(bad);
      await c.reload();
    }
    expect((await c.configReloadSuccessful()).successful).toBe(true);
  });
});
