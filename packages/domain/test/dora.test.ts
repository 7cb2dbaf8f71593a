import { describe, expect, it } from "vitest";
import {
  classifyDora,
  computeDora,
  DeploymentInputSchema,
  deploysThatBurnedBudget,
  doraEvents,
  doraPromql,
  IncidentInputSchema,
  ChangeInputSchema,
  describeZodError,
  findPromqlSyntaxError,
  type DoraDeployment,
  type DoraIncident,
  type DoraMetrics,
} from "../src/index";

const H = 3600;
const teams = { checkout: "payments", search: "discovery" };

/**
 * Seeded week, 2026-03-01 .. 2026-03-08 (UTC). Hand-checked figures are in the test names.
 *  checkout (team payments)
 *   d1 03-01 10:00 success planned  commits c1 (−2h), c2 (−24h)
 *   d2 03-02 10:00 success planned  commit c3 (−24h); incident i1 caused by d2, 11:00 → 13:00
 *   d3 03-02 12:00 failure planned  (recovered by d4)
 *   d4 03-03 10:00 success unplanned commits c4 (−1h), c3 again (already shipped), c5 (after deploy: dropped)
 *   dst 03-03 11:00 staging success (ignored for production)
 *  search (team discovery)
 *   s0 02-28 23:00 success (before window), incident i0 caused by s0, 03-01 01:00 → 02:00
 *   s1 03-05 09:00 success planned  commit (−24h)
 *   s2 03-06 09:00 rolled_back unplanned (not recovered)
 *   i2 03-06 20:00 unlinked, open
 */
const deployments: DoraDeployment[] = [
  { id: "d1", service: "checkout", environment: "production", finishedAt: "2026-03-01T10:00:00Z", result: "success", kind: "planned",
    commits: [{ sha: "c1c1c1c", committedAt: "2026-03-01T08:00:00Z" }, { sha: "c2c2c2c", committedAt: "2026-02-28T10:00:00Z" }] },
  { id: "d2", service: "checkout", environment: "production", finishedAt: "2026-03-02T10:00:00Z", result: "success", kind: "planned",
    commits: [{ sha: "c3c3c3c", committedAt: "2026-03-01T10:00:00Z" }] },
  { id: "d3", service: "checkout", environment: "production", finishedAt: "2026-03-02T12:00:00Z", result: "failure", kind: "planned" },
  { id: "d4", service: "checkout", environment: "production", finishedAt: "2026-03-03T10:00:00Z", result: "success", kind: "unplanned",
    commits: [{ sha: "c4c4c4c", authoredAt: "2026-03-03T09:00:00Z" }, { sha: "c3c3c3c", committedAt: "2026-03-01T10:00:00Z" }, { sha: "c5c5c5c", committedAt: "2026-03-03T10:30:00Z" }] },
  { id: "dst", service: "checkout", environment: "staging", finishedAt: "2026-03-03T11:00:00Z", result: "success", kind: "planned",
    commits: [{ sha: "c9c9c9c", committedAt: "2026-03-03T10:00:00Z" }] },
  { id: "s0", service: "search", environment: "production", finishedAt: "2026-02-28T23:00:00Z", result: "success", kind: "planned" },
  { id: "s1", service: "search", environment: "production", finishedAt: "2026-03-05T09:00:00Z", result: "success", kind: "planned",
    commits: [{ sha: "a1a1a1a", committedAt: "2026-03-04T09:00:00Z" }] },
  { id: "s2", service: "search", environment: "production", finishedAt: "2026-03-06T09:00:00Z", result: "rolled_back", kind: "unplanned" },
];
const incidents: DoraIncident[] = [
  { id: "i0", service: "search", openedAt: "2026-03-01T01:00:00Z", resolvedAt: "2026-03-01T02:00:00Z", causedByDeploymentId: "s0" },
  { id: "i1", service: "checkout", openedAt: "2026-03-02T11:00:00Z", resolvedAt: "2026-03-02T13:00:00Z", causedByDeploymentId: "d2" },
  { id: "i2", service: "search", openedAt: "2026-03-06T20:00:00Z" },
];
const window = { from: "2026-03-01T00:00:00Z", to: "2026-03-08T00:00:00Z", teams };

describe("computeDora on a seeded week", () => {
  const report = computeDora(deployments, incidents, window);
  const checkout = report.byService.checkout!;
  const search = report.byService.search!;

  it("counts 4 checkout production deploys: 3 successful, 2 failed (incident-linked d2, failed d3), 1 unplanned", () => {
    expect(checkout.deployments).toEqual({ total: 4, successful: 3, failed: 2, failuresRecognized: 2, unplanned: 1 });
    expect(checkout.changeFailureRate).toBe(0.5);
    expect(checkout.reworkRate).toBe(0.25);
  });

  it("gives checkout 3/7 deploys per day on 3 deploy days, i.e. 3 deploy days per week", () => {
    expect(checkout.deploymentFrequency.perDay).toBeCloseTo(3 / 7, 12);
    expect(checkout.deploymentFrequency.deployDays).toBe(3);
    expect(checkout.deploymentFrequency.deployDaysPerWeek).toBeCloseTo(3, 12);
  });

  it("measures checkout lead time over 1h, 2h, 24h, 24h: median 13h, p90 24h, mean 12.75h (re-shipped and negative commits dropped)", () => {
    expect(checkout.leadTime).toEqual({ count: 4, medianSeconds: 13 * H, p90Seconds: 24 * H, meanSeconds: 12.75 * H });
  });

  it("restores checkout's incident in 2h and recovers its failed deploys in 3h and 22h (median 12.5h)", () => {
    expect(checkout.timeToRestore).toMatchObject({ count: 1, medianSeconds: 2 * H });
    expect(checkout.failedDeploymentRecoveryTime).toMatchObject({ count: 2, medianSeconds: 12.5 * H, p90Seconds: 3 * H + 0.9 * 19 * H });
  });

  it("does not count the pre-window search deploy s0, but recognises its failure, restore and recovery inside the window", () => {
    expect(search.deployments).toEqual({ total: 2, successful: 1, failed: 1, failuresRecognized: 2, unplanned: 1 });
    expect(search.timeToRestore.medianSeconds).toBe(1 * H);
    expect(search.failedDeploymentRecoveryTime).toMatchObject({ count: 1, medianSeconds: 3 * H });
    expect(search.incidents).toEqual({ opened: 2, resolved: 1 });
  });

  it("aggregates overall: 6 deploys, CFR 1/2, rework 1/3, 4 deploy days, lead-time median 24h, TTR median 1.5h", () => {
    const o = report.overall;
    expect(o.deployments).toEqual({ total: 6, successful: 4, failed: 3, failuresRecognized: 4, unplanned: 2 });
    expect(o.changeFailureRate).toBe(0.5);
    expect(o.reworkRate).toBeCloseTo(1 / 3, 12);
    expect(o.deploymentFrequency.deployDays).toBe(4);
    expect(o.leadTime.medianSeconds).toBe(24 * H);
    expect(o.timeToRestore.medianSeconds).toBe(1.5 * H);
    expect(o.failedDeploymentRecoveryTime.medianSeconds).toBe(3 * H);
    expect(o.incidents).toEqual({ opened: 3, resolved: 2 });
  });

  it("groups by team from the service→team map", () => {
    expect(Object.keys(report.byTeam)).toEqual(["discovery", "payments"]);
    expect(report.byTeam.payments).toEqual(checkout);
  });

  it("reports staging separately when asked for environment=staging (incidents are production-only)", () => {
    const staging = computeDora(deployments, incidents, { ...window, environment: "staging" }).overall;
    expect(staging.deployments.total).toBe(1);
    expect(staging.leadTime).toMatchObject({ count: 1, medianSeconds: 1 * H });
    expect(staging.incidents.opened).toBe(0);
  });

  it("treats the window as half-open [from, to): a deploy exactly at `to` is not counted", () => {
    const r = computeDora([{ id: "x", service: "checkout", environment: "production", finishedAt: "2026-03-08T00:00:00Z", result: "success", kind: "planned" }], [], window);
    expect(r.overall.deployments.total).toBe(0);
    expect(r.overall.changeFailureRate).toBeNull();
    expect(r.overall.leadTime.medianSeconds).toBeNull();
  });

  it("counts a deployment as failed only if its incident opened before `to`", () => {
    const late = computeDora(deployments, incidents, { ...window, to: "2026-03-02T10:30:00Z" }).byService.checkout!;
    expect(late.deployments.failed).toBe(0);
  });

  it("rejects an empty window", () => {
    expect(() => computeDora([], [], { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" })).toThrow(/after/);
  });

  it("emits a time-ordered event stream (the exporter's source)", () => {
    const ev = doraEvents(deployments, incidents, { teams });
    expect(ev.map((e) => e.t)).toEqual([...ev.map((e) => e.t)].sort((a, b) => a - b));
    expect(ev.filter((e) => e.type === "deployment_failed").map((e) => (e as { deploymentId: string }).deploymentId).sort()).toEqual(["d2", "d3", "s0", "s2"]);
  });
});

function metrics(p: { perDay?: number; lead?: number | null; cfr?: number | null; rec?: number | null; ttr?: number | null }): DoraMetrics {
  const stats = (v: number | null | undefined) => ({ count: v == null ? 0 : 1, medianSeconds: v ?? null, p90Seconds: v ?? null, meanSeconds: v ?? null });
  return {
    deployments: { total: 10, successful: 10, failed: 0, failuresRecognized: 0, unplanned: 0 },
    deploymentFrequency: { perDay: p.perDay ?? 0, deployDays: 0, deployDaysPerWeek: 0 },
    leadTime: stats(p.lead),
    changeFailureRate: p.cfr ?? null,
    timeToRestore: stats(p.ttr),
    failedDeploymentRecoveryTime: stats(p.rec),
    reworkRate: 0,
    incidents: { opened: 0, resolved: 0 },
  };
}

describe("classifyDora band sets", () => {
  const D = 86_400;
  it("2024 (default): 2 deploys/day, 12h lead time, 4% CFR, 30m recovery is elite on every metric", () => {
    expect(classifyDora(metrics({ perDay: 2, lead: 12 * H, cfr: 0.04, rec: 0.5 * H }))).toEqual({
      set: "2024", deploymentFrequency: "elite", leadTime: "elite", changeFailureRate: "elite", recovery: "elite", overall: "elite",
    });
  });
  it("2024: daily-to-weekly deploys and 1d–1w lead time are high; weekly-to-monthly is medium; rarer is low", () => {
    expect(classifyDora(metrics({ perDay: 0.5, lead: 3 * D })).deploymentFrequency).toBe("high");
    expect(classifyDora(metrics({ perDay: 0.5, lead: 3 * D })).leadTime).toBe("high");
    expect(classifyDora(metrics({ perDay: 1 / 14, lead: 14 * D })).deploymentFrequency).toBe("medium");
    expect(classifyDora(metrics({ perDay: 1 / 14, lead: 14 * D })).leadTime).toBe("medium");
    expect(classifyDora(metrics({ perDay: 1 / 60, lead: 60 * D })).leadTime).toBe("low");
    expect(classifyDora(metrics({ perDay: 1 / 60 })).deploymentFrequency).toBe("low");
  });
  it("2024: CFR goes to the nearest reported cluster (Elite 5%, Medium 10%, High 20%, Low 40%)", () => {
    expect(classifyDora(metrics({ cfr: 0.12 })).changeFailureRate).toBe("medium");
    expect(classifyDora(metrics({ cfr: 0.18 })).changeFailureRate).toBe("high");
    expect(classifyDora(metrics({ cfr: 0.35 })).changeFailureRate).toBe("low");
  });
  it("2024: recovery under 1h elite, under 1d high, under 1w medium, longer low; falls back to time to restore", () => {
    expect(classifyDora(metrics({ rec: 2 * H })).recovery).toBe("high");
    expect(classifyDora(metrics({ rec: 2 * D })).recovery).toBe("medium");
    expect(classifyDora(metrics({ rec: 10 * D })).recovery).toBe("low");
    expect(classifyDora(metrics({ ttr: 30 * 60 })).recovery).toBe("elite");
    expect(classifyDora(metrics({})).recovery).toBeNull();
  });
  it("2023: CFR bands 5/10/15% (DevLake), so 12% is medium and 20% low", () => {
    expect(classifyDora(metrics({ cfr: 0.05 }), "2023").changeFailureRate).toBe("elite");
    expect(classifyDora(metrics({ cfr: 0.08 }), "2023").changeFailureRate).toBe("high");
    expect(classifyDora(metrics({ cfr: 0.12 }), "2023").changeFailureRate).toBe("medium");
    expect(classifyDora(metrics({ cfr: 0.2 }), "2023").changeFailureRate).toBe("low");
  });
  it("2021: lead time under 1h elite, 1h–1w high, up to 6 months medium; CFR ≤15% elite, ≤30% high", () => {
    expect(classifyDora(metrics({ lead: 0.5 * H }), "2021").leadTime).toBe("elite");
    expect(classifyDora(metrics({ lead: 12 * H }), "2021").leadTime).toBe("high");
    expect(classifyDora(metrics({ lead: 60 * D }), "2021").leadTime).toBe("medium");
    expect(classifyDora(metrics({ lead: 200 * D }), "2021").leadTime).toBe("low");
    expect(classifyDora(metrics({ cfr: 0.15 }), "2021").changeFailureRate).toBe("elite");
    expect(classifyDora(metrics({ cfr: 0.25 }), "2021").changeFailureRate).toBe("high");
    expect(classifyDora(metrics({ cfr: 0.45 }), "2021").changeFailureRate).toBe("low");
    expect(classifyDora(metrics({ perDay: 1 / 3 }), "2021").deploymentFrequency).toBe("high");
    expect(classifyDora(metrics({ perDay: 1 / 90 }), "2021").deploymentFrequency).toBe("medium");
  });
  it("overall is the weakest classified metric", () => {
    expect(classifyDora(metrics({ perDay: 2, lead: 12 * H, cfr: 0.5 })).overall).toBe("low");
  });
});

describe("ingestion schemas", () => {
  const ok = { service: "checkout", sha: "279484c09fbe69ededfced8c1bb6e6d24616b468", finishedAt: "2026-03-01T10:00:00Z", result: "success" };
  it("defaults environment to production, kind to planned, commits to []", () => {
    expect(DeploymentInputSchema.parse(ok)).toMatchObject({ environment: "production", kind: "planned", commits: [] });
  });
  it("names the offending field", () => {
    const r = DeploymentInputSchema.safeParse({ ...ok, commits: [{ sha: "zz" }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeZodError(r.error).field).toBe("commits.0.sha");
    const r2 = DeploymentInputSchema.safeParse({ ...ok, finishedAt: "yesterday" });
    if (!r2.success) expect(describeZodError(r2.error, "body")).toMatchObject({ field: "body.finishedAt" });
    expect(r2.success).toBe(false);
  });
  it("rejects startedAt after finishedAt and resolvedAt before openedAt", () => {
    expect(DeploymentInputSchema.safeParse({ ...ok, startedAt: "2026-03-01T11:00:00Z" }).success).toBe(false);
    expect(IncidentInputSchema.safeParse({ service: "checkout", title: "x", severity: "page", openedAt: "2026-03-01T11:00:00Z", resolvedAt: "2026-03-01T10:00:00Z" }).success).toBe(false);
  });
  it("requires a timestamp on changes", () => {
    expect(ChangeInputSchema.safeParse({ service: "checkout", sha: "abcdef1" }).success).toBe(false);
    expect(ChangeInputSchema.safeParse({ service: "checkout", sha: "abcdef1", mergedAt: "2026-03-01T10:00:00Z" }).success).toBe(true);
  });
});

describe("doraPromql", () => {
  it("escapes label values and groups by team", () => {
    const q = doraPromql({ service: 'we"ird', by: "team" });
    expect(q.deploymentsPerDay).toContain('service="we\\"ird"');
    expect(q.changeFailureRate).toMatch(/^sum by \(team\)/);
    expect(q.leadTimeMedianSeconds).toContain("by (le, team)");
  });
  it("uses differences to the last sample W ago (robust to an hourly backfill grid) and a W−1s deploy-day subquery", () => {
    const q = doraPromql({ window: "28d" });
    expect(q.deployments).toBe('sum (burnrate_deployments_total{environment="production"} - last_over_time(burnrate_deployments_total{environment="production"}[1h] offset 28d) or burnrate_deployments_total{environment="production"})');
    expect(q.deployDays).toContain("[27d23h59m59s:1d]");
    expect(() => doraPromql({ window: "soon" })).toThrow();
  });
  it("scopes to the catalogue's current services: a regex of escaped names, or nothing for none", () => {
    expect(doraPromql({ team: "t", services: ["a.b", "c"] }).deployments).toContain('service=~"a\\\\.b|c"');
    expect(doraPromql({ team: "t", services: [] }).deployments).toContain('service=""');
  });

  it("produces syntactically valid PromQL for every metric and grouping", () => {
    for (const opts of [{}, { by: "service" as const }, { team: "payments", window: "7d" }, { team: "payments", services: [] }, { team: "t", services: ["a.b", "c|d"] }]) {
      for (const [name, q] of Object.entries(doraPromql(opts))) expect(findPromqlSyntaxError(q), name).toBeNull();
    }
  });
});

describe("deploysThatBurnedBudget", () => {
  const series = [
    { slo: "checkout-availability", service: "checkout", samples: [
      { t: "2026-03-02T09:00:00Z", value: 0.9 }, { t: "2026-03-02T10:00:00Z", value: 0.9 },
      { t: "2026-03-02T11:00:00Z", value: 0.82 }, { t: "2026-03-02T12:00:00Z", value: 0.8 },
      { t: "2026-03-02T16:00:00Z", value: 0.6 },
    ] },
    { slo: "search-latency", service: "search", samples: [{ t: "2026-03-02T09:00:00Z", value: 0.5 }, { t: "2026-03-02T11:00:00Z", value: 0.1 }] },
  ];
  it("flags d2 (budget 0.90 → 0.80 within 4h, drop 0.10) and not the search SLO", () => {
    const burns = deploysThatBurnedBudget(deployments, series, { threshold: 0.05, withinHours: 4 });
    const d2 = burns.find((b) => b.deploymentId === "d2");
    expect(d2).toMatchObject({ slo: "checkout-availability", before: 0.9, lowest: 0.8, lowestAt: "2026-03-02T12:00:00.000Z" });
    expect(d2!.drop).toBeCloseTo(0.1, 12);
    expect(burns.every((b) => b.slo === "checkout-availability")).toBe(true);
  });
  it("ignores drops below the threshold or after the horizon", () => {
    expect(deploysThatBurnedBudget(deployments, series, { threshold: 0.15, withinHours: 4 }).find((b) => b.deploymentId === "d2")).toBeUndefined();
    expect(deploysThatBurnedBudget(deployments, series, { threshold: 0.05, withinHours: 0.5 })).toEqual([]);
  });
});
