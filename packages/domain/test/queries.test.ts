import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BOARD_QUERIES,
  BOARD_WINDOWS,
  BURN_THRESHOLDS,
  budgetBurndown,
  coverageOf,
  generateRuleGroups,
  HISTORY_BACKFILL_METRIC,
  incidentsByService,
  monthFigures,
  notRecordedRanges,
  rangeQueries,
  reportPeriod,
  reportRow,
  RULE_NAMES,
  sloDetailQueries,
  sloFigures,
  sortWindows,
  teamSummaries,
  type ReportSlo,
} from "../src/index";
import { loadCase } from "./support/cases";

const NOW = Date.UTC(2026, 11, 4, 16, 20, 13);

describe("read-side queries share the generator's contract", () => {
  const c = loadCase("availability-30d");
  const sets = generateRuleGroups(c.bundles, c.options);
  const recorded = new Set(sets.flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : [])))));

  it("every board and detail query reads a series the generator records (or ALERTS)", () => {
    const detail = sloDetailQueries("checkout-availability", 30 * 86400);
    const exprs = [...Object.values(BOARD_QUERIES), detail.burn, detail.budget, detail.events, detail.coverage, detail.errorRate, detail.totalRate, ...Object.values(rangeQueries(31 * 86400))];
    for (const e of exprs) {
      const names = [...e.matchAll(/\b(slo:[a-z_0-9]+(?::[a-z_0-9]+)?|ALERTS)\b/g)].map((m) => m[1] as string);
      expect(names.length, e).toBeGreaterThan(0);
      for (const n of names) expect(n === "ALERTS" || recorded.has(n), `${e} reads ${n}`).toBe(true);
    }
  });

  it("the board windows are recorded windows in time order, and the thresholds are the workbook's", () => {
    expect(BOARD_WINDOWS).toEqual(["5m", "1h", "6h", "1d", "3d"]);
    const windows = new Set(sets.flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ("record" in r && r.record === RULE_NAMES.burnRate ? [r.labels.slo_window] : [])))));
    for (const w of BOARD_WINDOWS) expect(windows.has(w), w).toBe(true);
    expect(BURN_THRESHOLDS).toEqual({ fastPage: 14.4, page: 6, sustainable: 1 });
  });

  it("detail queries quote hostile slugs as PromQL strings", () => {
    const q = sloDetailQueries('a"b\\c', 7 * 86400);
    expect(q.budget).toBe(`${RULE_NAMES.budgetRemaining}{slo="a\\"b\\\\c"}`);
    expect(q.burndownStep).toBe(300);
  });

  it("sortWindows orders by length, not as text", () => {
    expect(sortWindows(["1d", "1h", "2h", "30d", "30m", "5m", "3d", "6h", "2d19h12m"])).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "2d19h12m", "3d", "30d"]);
  });
});

describe("coverage says how much data a window holds", () => {
  it("12 minutes of a 30-day period", () => {
    expect(coverageOf(720, 30 * 86400)).toEqual({ seconds: 720, windowSeconds: 2592000, partial: true, label: "12 min of 30 d" });
  });
  it("a full period (one grid step short at the edge) is complete", () => {
    expect(coverageOf(30 * 86400 - 300, 30 * 86400)).toMatchObject({ partial: false, label: "30 d" });
    expect(coverageOf(29 * 86400 + 5 * 3600, 30 * 86400).label).toBe("29 d 5 h of 30 d");
  });
  it("no series is 0 s, never more than the window", () => {
    expect(coverageOf(undefined, 86400)).toMatchObject({ seconds: 0, partial: true, label: "0 s of 1 d" });
    expect(coverageOf(Number.NaN, 86400).seconds).toBe(0);
    expect(coverageOf(2 * 86400, 86400)).toMatchObject({ seconds: 86400, partial: false });
  });
  it("property: partial exactly when more than one grid step is missing; the label names both durations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * 86400 }), fc.constantFrom(86400, 7 * 86400, 28 * 86400, 30 * 86400), (s, w) => {
        const c = coverageOf(s, w);
        expect(c.partial).toBe(Math.min(s, w) + 300 < w);
        if (c.partial) expect(c.label).toMatch(/ of \d+ d$/);
      }),
    );
  });
});

describe("sloFigures: one definition of an SLO's period figures", () => {
  const base = { now: NOW, periodSeconds: 30 * 86400, objective: 99.9, events: 1e6, coverageSeconds: 30 * 86400 };
  it("budget, consumed share and error ratio follow from the recorded remaining budget", () => {
    const f = sloFigures({ ...base, budgetRemaining: 0.25, burnRates: { "1d": 2 } });
    expect(f.budgetConsumed.value).toBeCloseTo(0.75, 12);
    expect(f.errorRatio.value).toBeCloseTo(0.00075, 12);
    // 25% left at 2x burn: a quarter of the period / 2 = 3.75 days.
    expect(f.exhaustion).toEqual({ value: NOW + 0.25 / 2 * 30 * 86400 * 1000 });
    expect(f.exhausted).toBe(false);
  });
  it("exhaustion uses the 1d burn, then 6h, then 1h; never at zero burn; now when exhausted", () => {
    expect(sloFigures({ ...base, budgetRemaining: 0.5, burnRates: { "1h": 10, "6h": 1 } }).exhaustion).toEqual({ value: NOW + 0.5 * 30 * 86400 * 1000 });
    expect(sloFigures({ ...base, budgetRemaining: 0.5, burnRates: { "1d": 0 } }).exhaustion).toEqual({ value: "never" });
    const gone = sloFigures({ ...base, budgetRemaining: -0.4, burnRates: { "1d": 3 } });
    expect(gone.exhaustion).toEqual({ value: NOW });
    expect(gone.exhausted).toBe(true);
  });
  it("a budget below 0 over minutes of data is shown but not exhausted (no alert, no freeze on a guess)", () => {
    const fresh = sloFigures({ ...base, coverageSeconds: 720, budgetRemaining: -499, burnRates: { "1h": 500 } });
    expect(fresh.budgetRemaining.value).toBe(-499);
    expect(fresh.coverage.label).toBe("12 min of 30 d");
    expect([fresh.budgetDecidable, fresh.exhausted]).toEqual([false, false]);
    const almost = sloFigures({ ...base, coverageSeconds: 0.95 * 30 * 86400, budgetRemaining: -0.1, burnRates: {} });
    expect([almost.budgetDecidable, almost.exhausted]).toEqual([true, true]);
  });

  it("no series and no events are no data with different reasons", () => {
    const none = sloFigures({ ...base, budgetRemaining: undefined, events: undefined, coverageSeconds: undefined, burnRates: {} });
    expect(none.budgetRemaining).toEqual({ value: null, reason: expect.stringContaining("no SLI data") });
    expect(none.coverage.label).toBe("0 s of 30 d");
    const empty = sloFigures({ ...base, budgetRemaining: Number.NaN, events: 0, burnRates: {} });
    expect(empty.budgetRemaining).toEqual({ value: null, reason: "no events in the period" });
    expect(empty.exhaustion.value).toBeNull();
  });
});

describe("budgetBurndown", () => {
  it("starts near 100% and ends at 1 − period error ratio / budget", () => {
    const samples = Array.from({ length: 10 }, (_, i) => ({ t: 1000 + i * 300, errors: i < 5 ? 0.1 : 1, total: 100 }));
    const pts = budgetBurndown(samples, 300, 99);
    const ratio = (5 * 0.1 + 5 * 1) / (10 * 100);
    expect(pts.at(-1)?.budgetRemaining).toBeCloseTo(1 - ratio / 0.01, 12);
    expect(pts[0]?.budgetRemaining).toBeGreaterThan(pts.at(-1)!.budgetRemaining!);
    expect(pts[0]?.t).toBe(1_000_000);
  });
  it("gaps are skipped, not counted as zero errors", () => {
    const pts = budgetBurndown([{ t: 0, errors: 1, total: 100 }, { t: 300, errors: undefined, total: undefined }, { t: 600, errors: 1, total: 100 }], 300, 99);
    expect(pts.map((p) => p.errorRatio)).toEqual([0.01, null, 0.01]);
    expect(pts.at(-1)?.budgetRemaining).toBeCloseTo(0, 12);
  });
});

describe("report rows", () => {
  const slo = (s: string, service: string, team = "payments"): ReportSlo => ({ slo: s, name: s, service, serviceName: service, team, teamName: team, objective: 99.9, window: "30d" });
  const month = (errors: number | undefined, total: number | undefined, coverage: number | undefined) => monthFigures({ objective: 99.9, errors, total, coverageSeconds: coverage, rangeSeconds: 31 * 86400 });

  it("a month without data says no data, not '0 of N within budget'", () => {
    const rows = [reportRow(slo("a", "checkout"), { ...month(undefined, undefined, undefined), incidents: 0 }), reportRow(slo("b", "checkout"), { ...month(undefined, undefined, 0), incidents: 0 })];
    expect(rows.map((r) => [r.policyState, r.budgetRemaining, r.noDataReason])).toEqual([["no data", null, "no SLI data in this period"], ["no data", null, "no SLI data in this period"]]);
    expect(teamSummaries(rows, [])[0]?.summary).toBe("no data");
  });

  it("incidents count once per service and team, however many SLOs the service has", () => {
    const incidents = [{ id: "i1", service: "checkout" }, { id: "i2", service: "checkout" }, { id: "i3", service: "search" }];
    const per = incidentsByService(incidents);
    const f = { ...month(0.5, 1000, 31 * 86400) };
    const rows = [
      reportRow(slo("checkout-availability", "checkout"), { ...f, incidents: per.get("checkout") ?? 0 }),
      reportRow(slo("checkout-latency", "checkout"), { ...f, incidents: per.get("checkout") ?? 0 }),
      reportRow(slo("search-availability", "search", "discovery"), { ...f, incidents: per.get("search") ?? 0 }),
    ];
    const teams = teamSummaries(rows, incidents);
    expect(teams.map((t) => [t.team, t.incidents, t.summary])).toEqual([
      ["discovery", 1, "1 of 1 SLOs within budget"],
      ["payments", 2, "2 of 2 SLOs within budget"],
    ]);
  });

  it("a partly empty team names how many SLOs have no data; a missed month is missed", () => {
    const rows = [reportRow(slo("a", "checkout"), { ...month(2, 1000, 31 * 86400), incidents: 0 }), reportRow(slo("b", "checkout"), { ...month(undefined, undefined, undefined), incidents: 0 })];
    expect(rows[0]?.policyState).toBe("missed");
    expect(rows[0]?.budgetRemaining).toBeCloseTo(-1, 12);
    expect(teamSummaries(rows, [])[0]?.summary).toBe("0 of 1 SLOs with data within budget (1 without data)");
  });

  it("partial months say how much data they hold", () => {
    const r = reportRow(slo("a", "checkout"), { ...month(0, 1000, 3 * 86400), incidents: 0 });
    expect(r.coverage?.label).toBe("3 d of 31 d");
    expect(r.policyReason).toBe("data for 3 d of 31 d");
  });

  it("the current month is marked month to date and ends now; past months end at their end; future months are refused", () => {
    expect(reportPeriod("2026-12", NOW)).toEqual({ label: "2026-12 (month to date)", from: Date.UTC(2026, 11, 1), to: NOW, monthToDate: true });
    expect(reportPeriod("2026-11", NOW)).toEqual({ label: "2026-11", from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1), monthToDate: false });
    expect(reportPeriod("2027-01", NOW)).toBe("future");
    expect(reportPeriod("2026-13", NOW)).toBeNull();
    expect(reportPeriod("current", NOW)).toMatchObject({ from: null, monthToDate: false });
  });

  it("property: a month's report row and sloFigures agree on the same counts", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 1, max: 1e9, noNaN: true }), fc.constantFrom(99, 99.5, 99.9, 99.95), (errors, total, objective) => {
        fc.pre(errors <= total);
        const m = monthFigures({ objective, errors, total, coverageSeconds: 30 * 86400, rangeSeconds: 30 * 86400 });
        const row = reportRow({ ...slo("a", "checkout"), objective }, { ...m, incidents: 0 });
        const budget = (100 - objective) / 100;
        const f = sloFigures({ now: NOW, periodSeconds: 30 * 86400, objective, budgetRemaining: 1 - errors / total / budget, events: total, coverageSeconds: 30 * 86400, burnRates: {} });
        expect(row.budgetRemaining!).toBeCloseTo(f.budgetRemaining.value!, 9);
        expect(row.errorRatio!).toBeCloseTo(f.errorRatio.value!, 12);
      }),
    );
  });
});

describe("alert history over backfilled stretches", () => {
  it("merges consecutive backfilled buckets into not-recorded ranges", () => {
    const samples: [number, number][] = [[600, 1], [1200, 1], [1800, 1], [3600, 1], [4200, 0]];
    expect(notRecordedRanges(samples, 600)).toEqual([{ from: 0, to: 1_800_000 }, { from: 3_000_000, to: 3_600_000 }]);
    expect(notRecordedRanges([], 600)).toEqual([]);
  });
  it("the detail reads the marker the backfill writes", () => {
    expect(sloDetailQueries("x", 86400).backfilled(600)).toBe(`max(max_over_time(${HISTORY_BACKFILL_METRIC}[10m]))`);
  });
});
