import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { PrometheusClient } from "../src/prometheus";
import { MANAGED_HEADER, PrometheusFilePusher, ReloadCoalescer, type RuleFile } from "../src/push";
import { PROMTOOL_BIN, startPrometheus, type PrometheusHandle } from "./helpers/servers";

const rules = (group: string, record: string, expr = "vector(1)"): string =>
  `groups:\n  - name: ${group}\n    interval: 30s\n    rules:\n      - record: ${record}\n        expr: ${expr}\n        labels: {slo: ${group}}\n`;

const fileA: RuleFile = { path: "slo-a.yml", content: rules("slo-a", "slo:test_a:ratio") };
const fileB: RuleFile = { path: "slo-b.yml", content: rules("slo-b", "slo:test_b:ratio") };

async function dirState(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of (await fs.readdir(dir)).sort()) out[n] = await fs.readFile(path.join(dir, n), "utf8");
  return out;
}

async function loadedGroups(c: PrometheusClient): Promise<string[]> {
  return (await c.rules()).map((g) => `${path.basename(g.file)}/${g.name}`).sort();
}

describe("PrometheusFilePusher against a real Prometheus", () => {
  let prom: PrometheusHandle;
  let client: PrometheusClient;
  let pusher: PrometheusFilePusher;

  beforeAll(async () => {
    prom = await startPrometheus({ portRange: [19330, 19349] });
    client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5000 });
    pusher = new PrometheusFilePusher({ rulesDir: prom.rulesDir, prometheus: client, promtoolPath: PROMTOOL_BIN });
  });
  afterAll(async () => {
    await prom?.cleanup();
  });

  beforeEach(async () => {
    vi.restoreAllMocks();
    // Start every test from {slo-a, slo-b} loaded.
    const r = await pusher.push([fileA, fileB], { prune: true });
    expect(r).toMatchObject({ ok: true });
  });

  it("pushes valid rules that become visible in /api/v1/rules", async () => {
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-b.yml/slo-b"]);
    const content = await fs.readFile(path.join(prom.rulesDir, "slo-a.yml"), "utf8");
    expect(content.startsWith(`${MANAGED_HEADER}\n`)).toBe(true);
    expect((await fs.stat(path.join(prom.rulesDir, "slo-a.yml"))).mode & 0o777).toBe(0o644);
    // no temp files left behind
    expect(Object.keys(await dirState(prom.rulesDir))).toEqual(["slo-a.yml", "slo-b.yml"]);

    const c: RuleFile = { path: "slo-c.yml", content: rules("slo-c", "slo:test_c:ratio") };
    const r = await pusher.push([fileA, fileB, c], { prune: true });
    expect(r).toEqual({ ok: true, changed: true, written: ["slo-c.yml"], deleted: [], groups: expect.any(Array) });
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-b.yml/slo-b", "slo-c.yml/slo-c"]);
  });

  it("is a no-op when nothing changed", async () => {
    const reload = vi.spyOn(client, "reload");
    const before = await dirState(prom.rulesDir);
    const r = await pusher.push([fileA, fileB], { prune: true });
    expect(r).toMatchObject({ ok: true, changed: false, written: [], deleted: [] });
    expect(reload).not.toHaveBeenCalled();
    expect(await dirState(prom.rulesDir)).toEqual(before);
    // force reloads and verifies anyway
    const f = await pusher.push([fileA, fileB], { prune: true, force: true });
    expect(f).toMatchObject({ ok: true, changed: false });
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it("rejects bad PromQL with the promtool message and touches nothing", async () => {
    const reload = vi.spyOn(client, "reload");
    const before = await dirState(prom.rulesDir);
    const bad: RuleFile = { path: "slo-a.yml", content: rules("slo-a", "slo:test_a:ratio", "sum(rate(x[5m])") };
    const newFile: RuleFile = { path: "slo-new.yml", content: rules("slo-new", "slo:new:ratio") };
    const r = await pusher.push([bad, fileB, newFile], { prune: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.stage).toBe("validate");
    expect(r.rolledBack).toBe(false);
    expect(r.error).toMatch(/^promtool check rules failed: /);
    expect(r.error).toContain("slo-a.yml");
    expect(r.error).toMatch(/parse error|could not parse/);
    expect(r.error).not.toContain(os.tmpdir() + path.sep + "burnrate-promtool");
    expect(reload).not.toHaveBeenCalled();
    expect(await dirState(prom.rulesDir)).toEqual(before);
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-b.yml/slo-b"]);
  });

  it("rejects invalid file names and unmanaged prefixes", async () => {
    for (const p of ["../evil.yml", "sub/slo-x.yml", "other.yml", "slo-x.txt", ".slo-x.yml"]) {
      const r = await pusher.push([{ path: p, content: fileA.content }]);
      expect(r).toMatchObject({ ok: false, stage: "validate", rolledBack: false });
    }
  });

  it("rolls back when Prometheus rejects the reload (500), including newly added files", async () => {
    const before = await dirState(prom.rulesDir);
    const a2: RuleFile = { path: "slo-a.yml", content: rules("slo-a", "slo:test_a2:ratio", "vector(2)") };
    const c: RuleFile = { path: "slo-c.yml", content: rules("slo-c", "slo:test_c:ratio") };
    // Corrupt a file between validation and reload: promtool saw valid content, Prometheus does not.
    const corrupting = new PrometheusFilePusher({
      rulesDir: prom.rulesDir,
      prometheus: client,
      hooks: {
        beforeReload: async () => {
          await fs.writeFile(path.join(prom.rulesDir, "slo-a.yml"), `${MANAGED_HEADER}\n${rules("slo-a", "slo:test_a2:ratio", "rate(x[5m]")}`);
        },
      },
    });
    const r = await corrupting.push([a2, fileB, c], { prune: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.stage).toBe("reload");
    expect(r.rolledBack).toBe(true);
    expect(r.rollbackError).toBeUndefined();
    expect(r.error).toMatch(/^Prometheus rejected the new rules: Prometheus reload failed \(HTTP 500\): failed to reload config/);
    // the generic 500 is enriched with promtool's diagnosis of the files on disk
    expect(r.details).toMatch(/slo-a\.yml/);
    expect(await dirState(prom.rulesDir)).toEqual(before);
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-b.yml/slo-b"]);
    expect((await client.configReloadSuccessful()).successful).toBe(true);
    const ruleNames = (await client.rules()).flatMap((g) => g.rules.map((x) => x.name)).sort();
    expect(ruleNames).toEqual(["slo:test_a:ratio", "slo:test_b:ratio"]);
  });

  it("prunes groups no longer desired, and keeps them with prune: false", async () => {
    const keep = await pusher.push([fileA], { prune: false });
    expect(keep).toMatchObject({ ok: true, changed: false });
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-b.yml/slo-b"]);

    const r = await pusher.push([fileA], { prune: true });
    expect(r).toMatchObject({ ok: true, changed: true, written: [], deleted: ["slo-b.yml"] });
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a"]);
    expect(Object.keys(await dirState(prom.rulesDir))).toEqual(["slo-a.yml"]);
  });

  it("never touches unmanaged files and refuses to overwrite them", async () => {
    const hand = path.join(prom.rulesDir, "slo-handwritten.yml");
    const other = path.join(prom.rulesDir, "team-other.yml");
    await fs.writeFile(hand, rules("hand", "hand:x"));
    await fs.writeFile(other, rules("other", "other:x"));
    try {
      const r = await pusher.push([fileA], { prune: true });
      expect(r).toMatchObject({ ok: true, deleted: ["slo-b.yml"] });
      expect(await fs.readFile(hand, "utf8")).toBe(rules("hand", "hand:x"));
      expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-handwritten.yml/hand", "team-other.yml/other"]);

      const clash = await pusher.push([fileA, { path: "slo-handwritten.yml", content: rules("x", "x:y") }]);
      expect(clash).toMatchObject({ ok: false, stage: "validate" });
      if (!clash.ok) expect(clash.error).toMatch(/not managed by Burnrate/);
      expect(await fs.readFile(hand, "utf8")).toBe(rules("hand", "hand:x"));
    } finally {
      await fs.rm(hand);
      await fs.rm(other);
      await client.reload();
    }
  });

  it("refuses an empty pruning push unless allowEmpty", async () => {
    const r = await pusher.push([], { prune: true });
    expect(r).toMatchObject({ ok: false, stage: "validate" });
    const r2 = await pusher.push([], { prune: true, allowEmpty: true });
    expect(r2).toMatchObject({ ok: true, changed: true, deleted: ["slo-a.yml", "slo-b.yml"] });
    expect(await loadedGroups(client)).toEqual([]);
  });

  it("fails verification (and rolls back) when Prometheus does not load the directory", async () => {
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), "burnrate-rules-elsewhere-"));
    try {
      const p = new PrometheusFilePusher({ rulesDir: elsewhere, prometheus: client });
      const r = await p.push([fileA]);
      expect(r).toMatchObject({ ok: false, stage: "verify", rolledBack: true });
      if (!r.ok) expect(r.error).toMatch(/did not load the expected rule groups: missing slo-a\.yml\/slo-a/);
      expect(await fs.readdir(elsewhere)).toEqual([]);
    } finally {
      await fs.rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("reports in_sync / drifted via status()", async () => {
    expect(await pusher.status([fileA, fileB])).toMatchObject({ state: "in_sync" });

    const s1 = await pusher.status([fileA]);
    expect(s1.state).toBe("drifted");
    expect(s1.details.extraFiles).toEqual(["slo-b.yml"]);
    expect(s1.details.unexpectedGroups).toEqual([{ file: "slo-b.yml", name: "slo-b" }]);

    // hand-edit on disk without reload
    const a = path.join(prom.rulesDir, "slo-a.yml");
    await fs.writeFile(a, `${MANAGED_HEADER}\n${rules("slo-a", "slo:edited:ratio")}`);
    const s2 = await pusher.status([fileA, fileB]);
    expect(s2.state).toBe("drifted");
    expect(s2.details.modifiedFiles).toEqual(["slo-a.yml"]);

    // repair
    const r = await pusher.push([fileA, fileB]);
    expect(r).toMatchObject({ ok: true, changed: true, written: ["slo-a.yml"] });
    expect((await pusher.status([fileA, fileB])).state).toBe("in_sync");

    // group missing in Prometheus: file deleted and reloaded behind our back
    await fs.rm(path.join(prom.rulesDir, "slo-b.yml"));
    await client.reload();
    const s3 = await pusher.status([fileA, fileB]);
    expect(s3.details).toMatchObject({ missingFiles: ["slo-b.yml"], missingGroups: [{ file: "slo-b.yml", name: "slo-b" }] });
  });

  it("shares reloads through a coalescer", async () => {
    const coalescer = new ReloadCoalescer(() => client.reload(), 30);
    const p1 = new PrometheusFilePusher({ rulesDir: prom.rulesDir, prometheus: client, coalescer, managedPrefix: "slo-" });
    const r = await p1.push([fileA, { path: "slo-c.yml", content: rules("slo-c", "slo:c:ratio") }], { prune: false });
    expect(r).toMatchObject({ ok: true, changed: true, written: ["slo-c.yml"] });
    expect(coalescer.reloads).toBe(1);
    expect(await loadedGroups(client)).toEqual(["slo-a.yml/slo-a", "slo-b.yml/slo-b", "slo-c.yml/slo-c"]);
  });

  // Last: stops the server.
  it("reports Prometheus down clearly and restores the files", async () => {
    const before = await dirState(prom.rulesDir);
    await prom.stop();
    try {
      const r = await pusher.push([fileA, { path: "slo-c.yml", content: rules("slo-c", "slo:c:ratio") }], { prune: true });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.stage).toBe("reload");
      expect(r.error).toBe(`Prometheus unreachable at ${prom.url}/-/reload: connection refused`);
      expect(r.rolledBack).toBe(true);
      expect(r.rollbackError).toMatch(/reload after rollback: Prometheus unreachable/);
      expect(await dirState(prom.rulesDir)).toEqual(before);

      const s = await pusher.status([fileA, fileB]);
      expect(s.state).toBe("unreachable");
      expect(s.details.error).toMatch(/^Prometheus unreachable at /);
    } finally {
      await prom.restart();
    }
    expect((await pusher.status([fileA, fileB])).state).toBe("in_sync");
  });
});
