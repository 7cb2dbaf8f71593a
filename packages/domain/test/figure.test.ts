import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  computeDora,
  DORA_FIGURE_KEYS,
  DORA_NO_DATA,
  doraFiguresFromMetrics,
  doraFiguresFromPromql,
  doraScope,
  doraWindow,
  exhaustionFigure,
  figureOf,
  NEVER,
  sameFigure,
  type DoraDeployment,
  type DoraFigures,
  type DoraIncident,
  type DoraMetrics,
} from "../src/index";

const DAY = 86_400_000;
// The instant is chosen by the test, never read from the clock.
const to = Date.UTC(2027, 2, 10);
const from = to - 7 * DAY;
const at = (d: number, h: number) => new Date(from + d * DAY + h * 3_600_000).toISOString();

/**
 * Four slices, one per "no data" case:
 *  legacy   (team platform): deployments, none with commit data
 *  pager    (team oncall):   incidents only, no deployments
 *  checkout (team payments): a normal slice, for contrast
 *  team "ghost" exists but its services were deleted (their rows cascade away with them)
 */
const deployments: DoraDeployment[] = [
  { id: "l1", service: "legacy", environment: "production", finishedAt: at(1, 3), result: "success", kind: "planned", commits: [] },
  { id: "l2", service: "legacy", environment: "production", finishedAt: at(2, 3), result: "failure", kind: "unplanned" },
  { id: "c1", service: "checkout", environment: "production", finishedAt: at(3, 10), result: "success", kind: "planned", commits: [{ sha: "aaaaaaa", committedAt: at(3, 8) }] },
];
const incidents: DoraIncident[] = [
  { id: "p1", service: "pager", openedAt: at(4, 1), resolvedAt: at(4, 3) },
  { id: "p2", service: "pager", openedAt: at(5, 1) },
];
const teams = { legacy: "platform", pager: "oncall", checkout: "payments" };
const report = computeDora(deployments, incidents, { from, to, teams });

/** What PromQL answers for a scope: the same counts, NaN for 0 ÷ 0, nothing for an absent series. */
function promqlAnswers(m: DoraMetrics, emptyResults: boolean) {
  const ratio = (num: number, den: number) => (emptyResults ? null : num / den);
  return {
    deployments: emptyResults ? null : m.deployments.total,
    successfulDeployments: emptyResults ? null : m.deployments.successful,
    deploymentsPerDay: emptyResults ? null : m.deploymentFrequency.perDay,
    deployDaysPerWeek: emptyResults ? null : m.deploymentFrequency.deployDaysPerWeek,
    leadTimeCount: emptyResults ? null : m.leadTime.count,
    leadTimeMeanSeconds: m.leadTime.count ? m.leadTime.meanSeconds : ratio(0, 0),
    leadTimeMedianSeconds: m.leadTime.count ? m.leadTime.medianSeconds : ratio(0, 0),
    leadTimeP90Seconds: m.leadTime.count ? m.leadTime.p90Seconds : ratio(0, 0),
    changeFailureRate: m.deployments.total ? m.changeFailureRate : ratio(m.deployments.failuresRecognized, 0),
    reworkRate: m.deployments.total ? m.reworkRate : ratio(0, 0),
    timeToRestoreCount: emptyResults ? null : m.timeToRestore.count,
    timeToRestoreMeanSeconds: m.timeToRestore.count ? m.timeToRestore.meanSeconds : ratio(0, 0),
    timeToRestoreMedianSeconds: m.timeToRestore.count ? m.timeToRestore.medianSeconds : ratio(0, 0),
    timeToRestoreP90Seconds: m.timeToRestore.count ? m.timeToRestore.p90Seconds : ratio(0, 0),
    recoveryCount: emptyResults ? null : m.failedDeploymentRecoveryTime.count,
    recoveryMeanSeconds: m.failedDeploymentRecoveryTime.count ? m.failedDeploymentRecoveryTime.meanSeconds : ratio(0, 0),
    recoveryMedianSeconds: m.failedDeploymentRecoveryTime.count ? m.failedDeploymentRecoveryTime.medianSeconds : ratio(0, 0),
    recoveryP90Seconds: m.failedDeploymentRecoveryTime.count ? m.failedDeploymentRecoveryTime.p90Seconds : ratio(0, 0),
  };
}

function expectSame(a: DoraFigures, b: DoraFigures) {
  for (const k of DORA_FIGURE_KEYS) expect(sameFigure(a[k], b[k], 1e-9), `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`).toBe(true);
}

describe("one meaning of no data for the DORA keys", () => {
  it("a slice with deployments but no lead-time data: lead time is no data 'no deployments with commit data', CFR is known", () => {
    const f = doraFiguresFromMetrics(doraScope(report, { service: "legacy" }));
    expect(f.leadTimeMedianSeconds).toEqual({ value: null, reason: DORA_NO_DATA.leadTimes });
    expect(f.leadTimeMeanSeconds).toEqual({ value: null, reason: "no deployments with commit data" });
    expect(f.changeFailureRate).toEqual({ value: 0.5 });
    expect(f.reworkRate).toEqual({ value: 0.5 });
    expect(f.deploymentsPerDay).toEqual({ value: 1 / 7 });
  });

  it("a slice with incidents but no deployments: time to restore known, deployment ratios no data", () => {
    const f = doraFiguresFromMetrics(doraScope(report, { team: "oncall" }));
    expect(f.timeToRestoreMeanSeconds).toEqual({ value: 7200 });
    expect(f.changeFailureRate).toEqual({ value: null, reason: DORA_NO_DATA.deployments });
    expect(f.reworkRate).toEqual({ value: null, reason: DORA_NO_DATA.deployments });
    expect(f.leadTimeMedianSeconds).toEqual({ value: null, reason: DORA_NO_DATA.successful });
    expect(f.recoveryMedianSeconds).toEqual({ value: null, reason: DORA_NO_DATA.recoveries });
    expect(f.deploymentsPerDay).toEqual({ value: 0 });
  });

  it("nothing at all, and a team whose services were all deleted: every ratio and duration is no data with a reason", () => {
    const nothing = computeDora([], [], { from, to, teams });
    for (const f of [doraFiguresFromMetrics(nothing.overall), doraFiguresFromMetrics(doraScope(report, { team: "ghost" })), doraFiguresFromMetrics(doraScope(report, { service: "deleted" }))]) {
      expect(f.deploymentsPerDay).toEqual({ value: 0 });
      expect(f.changeFailureRate).toEqual({ value: null, reason: DORA_NO_DATA.deployments });
      expect(f.leadTimeMedianSeconds).toEqual({ value: null, reason: DORA_NO_DATA.successful });
      expect(f.timeToRestoreMedianSeconds).toEqual({ value: null, reason: DORA_NO_DATA.restores });
      expect(f.recoveryMeanSeconds).toEqual({ value: null, reason: DORA_NO_DATA.recoveries });
      for (const k of DORA_FIGURE_KEYS) expect(f[k].value === null ? typeof f[k].reason : "known", k).not.toBe("undefined");
    }
    expect(nothing.window.dataFrom).toBeNull();
    expect(nothing.window.coveredDays).toBe(0);
  });

  it("PromQL answers (NaN for 0 ÷ 0, +Inf for failures over no deployments, empty results) give the same figures as the database", () => {
    for (const scope of [{}, { service: "legacy" }, { team: "oncall" }, { team: "payments" }, { team: "ghost" }]) {
      const m = doraScope(report, scope);
      const db = doraFiguresFromMetrics(m);
      expectSame(doraFiguresFromPromql(promqlAnswers(m, false)), db);
      if (m.deployments.total === 0 && m.incidents.opened === 0) expectSame(doraFiguresFromPromql(promqlAnswers(m, true)), db);
    }
    // failures recognised in the window of a deployment before it: PromQL divides by zero deployments
    expect(doraFiguresFromPromql({ deployments: 0, changeFailureRate: Infinity }).changeFailureRate).toEqual({ value: null, reason: DORA_NO_DATA.deployments });
  });

  it("every figure of any history is either a finite number or no data with a non-empty reason, on both paths", () => {
    const dep = fc.record({
      service: fc.constantFrom("a", "b"),
      day: fc.integer({ min: -3, max: 9 }),
      result: fc.constantFrom("success", "failure", "rolled_back" as const),
      kind: fc.constantFrom("planned", "unplanned" as const),
      withCommit: fc.boolean(),
    });
    const inc = fc.record({ service: fc.constantFrom("a", "b", "c"), day: fc.integer({ min: -3, max: 9 }), resolved: fc.boolean() });
    fc.assert(
      fc.property(fc.array(dep, { maxLength: 8 }), fc.array(inc, { maxLength: 4 }), (ds, is) => {
        const deps: DoraDeployment[] = ds.map((d, i) => ({
          id: `d${i}`, service: d.service, environment: "production", finishedAt: at(d.day, 12), result: d.result, kind: d.kind,
          commits: d.withCommit ? [{ sha: `s${i}`, committedAt: at(d.day, 2) }] : [],
        }));
        const incs: DoraIncident[] = is.map((x, i) => ({ id: `i${i}`, service: x.service, openedAt: at(x.day, 13), resolvedAt: x.resolved ? at(x.day, 15) : null }));
        const r = computeDora(deps, incs, { from, to });
        for (const scope of [{}, { service: "a" }, { service: "c" }]) {
          const m = doraScope(r, scope);
          const db = doraFiguresFromMetrics(m);
          for (const k of DORA_FIGURE_KEYS) {
            const f = db[k];
            if (f.value === null) expect(f.reason.length).toBeGreaterThan(0);
            else expect(Number.isFinite(f.value)).toBe(true);
          }
          expectSame(doraFiguresFromPromql(promqlAnswers(m, false)), db);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("DORA windows are whole UTC days", () => {
  it("end at the last UTC midnight whatever the hour, so a 7-day window has at most 7 deploy days", () => {
    for (const hour of [0, 0.01, 4.5, 23.99]) {
      const now = Date.UTC(2027, 0, 31) + hour * 3_600_000;
      expect(doraWindow(now, 7)).toEqual({ from: Date.UTC(2027, 0, 24), to: Date.UTC(2027, 0, 31) });
    }
    // a deploy at 02:00 on each of the 7 days before `to`, and one at 00:30 on the day of `to`
    const deps: DoraDeployment[] = [...Array.from({ length: 7 }, (_, k) => to - 7 * DAY + 2 * 3_600_000 + k * DAY), to + 1_800_000].map((t, i) => ({
      id: `x${i}`, service: "a", environment: "production", finishedAt: new Date(t).toISOString(), result: "success", kind: "planned",
    }));
    // the window [to − 7d + 1h, to + 1h) touches 8 UTC dates; deploy days count 24h days back from its end
    const m = computeDora(deps, [], { from: to - 7 * DAY + 3_600_000, to: to + 3_600_000 }).overall;
    expect(m.deployments.successful).toBe(8);
    expect(m.deploymentFrequency.deployDays).toBe(7);
    expect(m.deploymentFrequency.deployDaysPerWeek).toBe(7);
  });

  it("say how much of the window the data covers", () => {
    const r = computeDora(deployments, incidents, { from: to - 90 * DAY, to, teams });
    expect(r.window.dataFrom).toBe(at(1, 3));
    expect(r.window.coveredDays).toBeCloseTo(6 - 3 / 24, 9);
  });
});

describe("figures: never is an answer, no data is not", () => {
  it("figureOf keeps +Inf only when told what it means", () => {
    expect(figureOf(NaN, "r")).toEqual({ value: null, reason: "r" });
    expect(figureOf(null, "r")).toEqual({ value: null, reason: "r" });
    expect(figureOf(Infinity, "r")).toEqual({ value: null, reason: "r" });
    expect(figureOf(Infinity, "r", NEVER)).toEqual({ value: "never" });
    expect(figureOf(0, "r")).toEqual({ value: 0 });
  });

  it("exhaustion at zero burn is never; without a burn rate or a budget it is no data; exhausted is now", () => {
    const now = Date.UTC(2027, 1, 28, 23, 59, 30);
    const base = { now, periodSeconds: 30 * 86_400 };
    expect(exhaustionFigure({ ...base, remaining: 0.5, burnRate: 0 })).toEqual({ value: "never" });
    expect(exhaustionFigure({ ...base, remaining: 0.5, burnRate: null }).value).toBeNull();
    expect(exhaustionFigure({ ...base, remaining: null, burnRate: 2 }).value).toBeNull();
    expect(exhaustionFigure({ ...base, remaining: -0.1, burnRate: 2 })).toEqual({ value: now });
    expect(exhaustionFigure({ ...base, remaining: 0.5, burnRate: 2 })).toEqual({ value: now + 7.5 * 86_400_000 });
    expect(sameFigure({ value: "never" }, { value: null, reason: "no burn rate" })).toBe(false);
    expect(JSON.parse(JSON.stringify(exhaustionFigure({ ...base, remaining: 0.5, burnRate: 0 })))).toEqual({ value: "never" });
  });
});
