import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PrometheusClient } from "../src/prometheus";
import { PrometheusFileTarget, type DesiredArtifact } from "../src/push";
import { PROMTOOL_BIN, startPrometheus, type PrometheusHandle } from "./helpers/servers";

// The Prometheus file Target isolates failures per SLO: a file promtool refuses is quarantined with
// promtool's message, its previous version stays loaded, and every other file deploys.

const rules = (group: string, record: string, expr = "vector(1)"): string =>
  `groups:\n  - name: ${group}\n    interval: 30s\n    rules:\n      - record: ${record}\n        expr: ${expr}\n        labels: {slo: ${group}}\n`;
const file = (owner: string, expr = "vector(1)"): DesiredArtifact => ({ path: `slo-${owner}.yml`, owner, content: rules(`slo-${owner}`, `slo:test_${owner}:ratio`, expr) });

async function loaded(c: PrometheusClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const g of await c.rules()) for (const r of g.rules) out[`${path.basename(g.file)}/${r.name}`] = r.query;
  return out;
}

describe("PrometheusFileTarget against a real Prometheus and promtool", () => {
  let prom: PrometheusHandle;
  let client: PrometheusClient;
  let target: PrometheusFileTarget;

  beforeAll(async () => {
    prom = await startPrometheus({ portRange: [19350, 19369] });
    client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5000 });
    target = new PrometheusFileTarget({ url: prom.url, rulesDir: prom.rulesDir, promtoolPath: PROMTOOL_BIN, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await prom?.cleanup();
  });
  beforeEach(async () => {
    const r = await target.push({ files: [file("a"), file("b")] });
    expect(r).toMatchObject({ ok: true, quarantined: [] });
  });

  it("quarantines the one file promtool refuses, keeps its last good version loaded, deploys the others", async () => {
    const r = await target.push({ files: [file("a", "sum(rate(x[5m])"), file("b", "vector(2)"), file("c")] });
    expect(r.ok).toBe(true);
    expect(r.quarantined).toEqual([{ owner: "a", path: "slo-a.yml", stage: "validate", reason: expect.stringMatching(/promtool check rules failed: .*(parse error|unclosed)/s) }]);
    expect(await loaded(client)).toEqual({ "slo-a.yml/slo:test_a:ratio": "vector(1)", "slo-b.yml/slo:test_b:ratio": "vector(2)", "slo-c.yml/slo:test_c:ratio": "vector(1)" });
    expect(await target.status({ files: [file("b", "vector(2)"), file("c")], keep: [{ owner: "a", path: "slo-a.yml" }] })).toEqual({ state: "in_sync", message: "" });
  });

  it("a quarantined new SLO (never deployed) is simply absent, and the rest deploys", async () => {
    const r = await target.push({ files: [file("a"), file("b"), file("d", "rate(x[5m]")] });
    expect(r).toMatchObject({ ok: true, quarantined: [{ owner: "d", path: "slo-d.yml" }] });
    expect(Object.keys(await loaded(client)).sort()).toEqual(["slo-a.yml/slo:test_a:ratio", "slo-b.yml/slo:test_b:ratio"]);
  });

  it("kept items (failed in generation) keep their live file instead of being pruned", async () => {
    const r = await target.push({ files: [file("b")], keep: [{ owner: "a", path: "slo-a.yml" }] });
    expect(r).toMatchObject({ ok: true, changed: false, quarantined: [] });
    expect(await fs.readFile(path.join(prom.rulesDir, "slo-a.yml"), "utf8")).toContain("slo:test_a:ratio");
    expect(await target.liveOwners()).toEqual(["a", "b"]);
    // Without keep, a is pruned.
    expect(await target.push({ files: [file("b")] })).toMatchObject({ ok: true, changed: true });
    expect(await target.liveOwners()).toEqual(["b"]);
  });

  it("an unreachable Prometheus fails the push with its stage, and nothing is quarantined", async () => {
    const dead = new PrometheusFileTarget({ url: "http://127.0.0.1:9", rulesDir: prom.rulesDir, promtoolPath: PROMTOOL_BIN, timeoutMs: 1000 });
    const r = await dead.push({ files: [file("a"), file("b"), file("e")] });
    expect(r).toMatchObject({ ok: false, stage: "reload", quarantined: [] });
    expect(await target.liveOwners()).toEqual(["a", "b"]);
  });
});
