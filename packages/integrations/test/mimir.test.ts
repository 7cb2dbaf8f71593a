import { afterEach, describe, expect, it } from "vitest";
import { MimirError, type MimirRule, type MimirRuleGroup, MimirRulerClient, sameMimirRuleGroup, splitMimirRuleGroup } from "../src/mimir";
import { FakeMimir, type FakeMimirOptions } from "./contract-servers/fake-mimir";

let server: FakeMimir;
afterEach(async () => {
  await server?.stop();
});

async function start(opts: FakeMimirOptions = {}): Promise<FakeMimir> {
  server = await new FakeMimir(opts).start();
  return server;
}

function client(s: FakeMimir, extra: Partial<ConstructorParameters<typeof MimirRulerClient>[0]> = {}): MimirRulerClient {
  return new MimirRulerClient({ baseUrl: s.url, tenant: "team-a", limits: { maxRulesPerGroup: 20, maxGroupsPerTenant: 70 }, ...extra });
}

const rec = (name: string, expr = "vector(1)"): MimirRule => ({ record: name, expr, labels: { slo: "x" } });
const alert = (name: string, expr: string): MimirRule => ({ alert: name, expr, for: "2m", labels: { severity: "page" }, annotations: { summary: "burn" } });

function sloGroup(slug: string, extraRecords = 0): MimirRuleGroup {
  return {
    name: `slo-${slug}`,
    interval: "1m",
    rules: [
      rec("slo:sli_error:rate5m"),
      rec("slo:sli_total:rate5m"),
      ...Array.from({ length: extraRecords }, (_, i) => rec(`slo:extra_${i}:ratio`)),
      alert("SLOErrorBudgetBurn", "slo:burn_rate > 14.4"),
    ],
  };
}

describe("MimirRulerClient basics", () => {
  it("sends the tenant header; the ruler rejects requests without it", async () => {
    const s = await start();
    const c = client(s);
    expect(await c.listRules()).toEqual({});
    expect(s.requests[0]?.headers["x-scope-orgid"]).toBe("team-a");
    const raw = await fetch(`${s.url}/prometheus/config/v1/rules`);
    expect(raw.status).toBe(401);
    expect(await raw.text()).toBe("no org id\n");
  });

  it("round-trips one group per POST as YAML, with escaped namespace and group names", async () => {
    const s = await start();
    const c = client(s);
    const g: MimirRuleGroup = { name: "slo checkout/avail", interval: "1m", rules: [rec("slo:a"), alert("A", 'slo:a{x="y"} > 1')] };
    await c.setRuleGroup("burnrate/team a", g);
    const post = s.writes()[0];
    expect(post?.path).toBe("/prometheus/config/v1/rules/burnrate%2Fteam%20a");
    expect(post?.headers["content-type"]).toBe("application/yaml");
    expect(post?.body).toMatch(/^name: slo checkout\/avail\ninterval: 1m\nrules:\n/);
    expect(s.groups("team-a")).toEqual([{ namespace: "burnrate/team a", name: "slo checkout/avail", rules: 2 }]);
    const listed = await c.listRules();
    expect(Object.keys(listed)).toEqual(["burnrate/team a"]);
    expect(sameMimirRuleGroup(listed["burnrate/team a"]?.[0] as MimirRuleGroup, g)).toBe(true);
    expect(await c.deleteRuleGroup("burnrate/team a", "slo checkout/avail")).toBe(true);
    expect(s.writes()[1]?.path).toBe("/prometheus/config/v1/rules/burnrate%2Fteam%20a/slo%20checkout%2Favail");
    expect(await c.deleteRuleGroup("burnrate/team a", "slo checkout/avail")).toBe(false);
  });

  it("supports a custom prefix and a gateway bearer token", async () => {
    const s = await start({ prefix: "/ruler", token: "gw" });
    await expect(client(s, { prefix: "/ruler" }).listRules()).rejects.toThrow(/HTTP 401.*check the token/);
    const c = client(s, { prefix: "ruler/", token: "gw" });
    await c.setRuleGroup("burnrate", sloGroup("a"));
    expect(s.requests.at(-1)?.path).toBe("/ruler/config/v1/rules/burnrate");
    expect(s.requests.at(-1)?.headers.authorization).toBe("Bearer gw");
  });

  it("surfaces Mimir's validation and limit errors (400)", async () => {
    const s = await start({ maxRulesPerGroup: 5 });
    const c = client(s, { limits: { maxRulesPerGroup: 50 } });
    const err = (await c.setRuleGroup("burnrate", sloGroup("big", 10)).catch((e: unknown) => e)) as MimirError;
    expect(err).toBeInstanceOf(MimirError);
    expect(err.kind).toBe("limit");
    expect(err.message).toMatch(/per-user rules per rule group limit \(limit: 5 actual: 13\) exceeded/);
    await expect(c.setRuleGroup("burnrate", { name: "bad", rules: [{ expr: "up" }] })).rejects.toThrow(/HTTP 400.*one of 'record' or 'alert' must be set/);
    // the client refuses oversized groups itself when its limits say so
    await expect(client(s).setRuleGroup("burnrate", sloGroup("big", 30))).rejects.toThrow(/33 rules, above the tenant limit of 20 per group; use sync\(\) to split it/);
  });
});

describe("splitMimirRuleGroup", () => {
  it("splits into stable -part-n groups, recording rules before alerts", () => {
    const g: MimirRuleGroup = { name: "slo-x", rules: [alert("A1", "slo:r1 > 1"), rec("slo:r1"), rec("slo:r2"), alert("A2", "slo:r2 > 1"), rec("slo:r3")] };
    const parts = splitMimirRuleGroup(g, 2);
    expect(parts.map((p) => p.name)).toEqual(["slo-x-part-1", "slo-x-part-2", "slo-x-part-3"]);
    expect(parts.map((p) => p.rules.map((r) => r.record ?? r.alert))).toEqual([["slo:r1", "slo:r2"], ["slo:r3", "A1"], ["A2"]]);
    expect(splitMimirRuleGroup(g, 5)).toEqual([g]);
  });
});

describe("MimirRulerClient.sync", () => {
  it("creates, then does nothing when unchanged (one GET, no writes)", async () => {
    const s = await start();
    const c = client(s);
    const desired = { "burnrate-slo-a": [sloGroup("a")], "burnrate-slo-b": [sloGroup("b")] };
    const first = await c.sync(desired);
    expect(first).toMatchObject({ created: 2, updated: 0, deleted: 0, unchanged: 0, groupsAfter: 2 });
    const before = s.requests.length;
    const second = await c.sync(desired);
    expect(second).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: 2 });
    expect(s.requests.slice(before).map((r) => r.method)).toEqual(["GET"]);
  });

  it("treats equivalent durations as unchanged and pushes real changes", async () => {
    const s = await start();
    const c = client(s);
    await c.sync({ "burnrate-a": [sloGroup("a")] });
    const same = sloGroup("a");
    same.interval = "60s";
    same.rules = same.rules.map((r) => (r.alert ? { ...r, for: "120s" } : r));
    expect((await c.sync({ "burnrate-a": [same] })).unchanged).toBe(1);
    const changed = sloGroup("a");
    changed.rules = changed.rules.map((r) => (r.alert ? { ...r, expr: "slo:burn_rate > 6" } : r));
    const report = await c.sync({ "burnrate-a": [changed] });
    expect(report.actions).toEqual([{ action: "update", namespace: "burnrate-a", group: "slo-a", rules: 3 }]);
  });

  it("splits groups over maxRulesPerGroup and cleans parts up when they shrink", async () => {
    const s = await start({ maxRulesPerGroup: 20 });
    const c = client(s);
    const big = sloGroup("big", 40); // 43 rules
    const report = await c.sync({ "burnrate-big": [big] });
    expect(report.splits).toEqual([{ namespace: "burnrate-big", group: "slo-big", parts: ["slo-big-part-1", "slo-big-part-2", "slo-big-part-3"] }]);
    expect(s.groups("team-a").map((g) => [g.name, g.rules])).toEqual([["slo-big-part-1", 20], ["slo-big-part-2", 20], ["slo-big-part-3", 3]]);
    // the alert is last, after all recording rules it may read
    const listed = await c.listRules();
    expect(listed["burnrate-big"]?.[2]?.rules.at(-1)?.alert).toBe("SLOErrorBudgetBurn");

    const shrunk = await c.sync({ "burnrate-big": [sloGroup("big")] });
    expect(shrunk.actions.map((a) => `${a.action} ${a.group}`).sort()).toEqual([
      "create slo-big",
      "delete slo-big-part-1",
      "delete slo-big-part-2",
      "delete slo-big-part-3",
    ]);
    expect(s.groups("team-a").map((g) => g.name)).toEqual(["slo-big"]);
    // creates went before deletes: the SLO was never without alerts
    const methods = s.writes().slice(-4).map((r) => r.method);
    expect(methods).toEqual(["POST", "DELETE", "DELETE", "DELETE"]);
  });

  it("deletes removed groups only in namespaces Burnrate owns", async () => {
    const s = await start();
    s.seed("team-a", "platform-rules", { name: "node", rules: [{ record: "node:cpu:rate5m", expr: "up" }] });
    const c = client(s);
    await c.sync({ "burnrate-a": [sloGroup("a"), sloGroup("a2")], "burnrate-b": [sloGroup("b")] });
    // SLO b deleted entirely (namespace gone from desired), a2 removed from namespace a
    const report = await c.sync({ "burnrate-a": [sloGroup("a")] });
    expect(report.actions.filter((a) => a.action === "delete").map((a) => `${a.namespace}/${a.group}`).sort()).toEqual(["burnrate-a/slo-a2", "burnrate-b/slo-b"]);
    expect(s.groups("team-a").map((g) => `${g.namespace}/${g.name}`)).toEqual(["burnrate-a/slo-a", "platform-rules/node"]);
    // a custom ownership rule
    const custom = client(s, { ownsNamespace: (ns) => ns === "platform-rules" });
    const r2 = await custom.sync({ "burnrate-a": [sloGroup("a")] });
    expect(r2.actions.filter((a) => a.action === "delete").map((a) => a.group)).toEqual(["node"]);
  });

  it("refuses (before writing) when the tenant group limit would be exceeded", async () => {
    const s = await start({ maxGroupsPerTenant: 4 });
    for (let i = 0; i < 2; i++) s.seed("team-a", "other", { name: `g${i}`, rules: [{ record: "x:y", expr: "up" }] });
    const c = client(s, { limits: { maxGroupsPerTenant: 4 } });
    const desired = { "burnrate-a": [sloGroup("a"), sloGroup("b"), sloGroup("c")] };
    const err = (await c.sync(desired).catch((e: unknown) => e)) as MimirError;
    expect(err).toBeInstanceOf(MimirError);
    expect(err.kind).toBe("limit");
    expect(err.message).toMatch(/refusing to sync: tenant "team-a" would hold 5 rule groups \(3 from Burnrate \+ 2 not managed by Burnrate\), above the limit of 4/);
    expect(s.writes()).toHaveLength(0);
  });

  it("deletes first when creates would not fit under the limit", async () => {
    const s = await start({ maxGroupsPerTenant: 3 });
    const c = client(s, { limits: { maxGroupsPerTenant: 3 } });
    await c.sync({ "burnrate-a": [sloGroup("a"), sloGroup("b"), sloGroup("c")] });
    const report = await c.sync({ "burnrate-a": [sloGroup("a"), sloGroup("d")] });
    expect(report).toMatchObject({ created: 1, deleted: 2, unchanged: 1, groupsAfter: 2 });
    expect(s.writes().slice(-3).map((r) => r.method)).toEqual(["DELETE", "DELETE", "POST"]);
  });

  it("reports partial progress when Mimir rejects a change", async () => {
    const s = await start({ maxRulesPerGroup: 3 });
    const c = client(s, { limits: { maxRulesPerGroup: 10 } });
    const err = (await c.sync({ "burnrate-a": [sloGroup("a"), sloGroup("b", 2)] }).catch((e: unknown) => e)) as MimirError;
    expect(err).toBeInstanceOf(MimirError);
    expect(err.message).toMatch(/per-user rules per rule group limit \(limit: 3 actual: 5\) exceeded.*sync stopped after 1 of 2 changes/);
    expect(err.applied.map((a) => a.group)).toEqual(["slo-a"]);
  });

  it("dry run plans without writing", async () => {
    const s = await start();
    const c = client(s);
    const report = await c.sync({ "burnrate-a": [sloGroup("a")] }, { dryRun: true });
    expect(report.created).toBe(1);
    expect(s.writes()).toHaveLength(0);
  });
});
