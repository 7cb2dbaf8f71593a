import { durationToSeconds, secondsToDuration } from "../spec/common";
import { windowSeconds, type SloSpec } from "../spec/slo";

/** Burn-rate tier of a multiwindow alert (contract label `burn_tier`). */
export type BurnTier = "fast" | "medium" | "slow" | "long";

/** One multiwindow, multi-burn-rate alert after scaling to an SLO period. */
export type BurnWindow = {
  tier: BurnTier;
  severity: "page" | "ticket";
  /** Long window in seconds. */
  longSeconds: number;
  /** Short window in seconds (1/12 of the long window in the workbook table). */
  shortSeconds: number;
  /** Burn-rate threshold: both windows must burn faster than this. */
  burnRate: number;
  /** `for:` of the alert in seconds. */
  forSeconds: number;
  /** Fraction of the period's budget consumed when the long window alone reaches the threshold. */
  budgetConsumed: number;
};

const DAY = 86400;
/** The SRE workbook table is written for a 30-day period. */
export const REFERENCE_PERIOD_SECONDS = 30 * DAY;

/**
 * SRE workbook, "Alerting on SLOs", table 5-8 plus the 1d/2h ticket pair from the chapter's
 * Prometheus example (https://sre.google/workbook/alerting-on-slos/). Burn rate = budget consumed
 * × period / long window, so every number below follows from the first three columns.
 * `for` values follow Pyrra's defaults (slo/rules.go) to damp flapping without delaying pages.
 */
export const WORKBOOK_WINDOWS: readonly BurnWindow[] = [
  // 2% of the budget in 1h: 0.02 × 720h / 1h = 14.4x. 100% errors at 99.9% page in ~1 minute.
  { tier: "fast", severity: "page", longSeconds: 3600, shortSeconds: 300, burnRate: 14.4, forSeconds: 120, budgetConsumed: 0.02 },
  // 5% of the budget in 6h: 0.05 × 720h / 6h = 6x; the budget is gone in 5 days.
  { tier: "medium", severity: "page", longSeconds: 6 * 3600, shortSeconds: 1800, burnRate: 6, forSeconds: 900, budgetConsumed: 0.05 },
  // 10% of the budget in 1d: 0.1 × 720h / 24h = 3x; the budget is gone in 10 days.
  { tier: "slow", severity: "ticket", longSeconds: DAY, shortSeconds: 7200, burnRate: 3, forSeconds: 3600, budgetConsumed: 0.1 },
  // 10% of the budget in 3d: 0.1 × 720h / 72h = 1x; the budget is gone exactly at period end.
  { tier: "long", severity: "ticket", longSeconds: 3 * DAY, shortSeconds: 6 * 3600, burnRate: 1, forSeconds: 3 * 3600, budgetConsumed: 0.1 },
];

/** The base recording rules record 5m rates; derived windows cannot be shorter. */
export const BASE_WINDOW_SECONDS = 300;

/**
 * Derived windows count events on a fixed time grid, not per stored sample: `sum_over_time(x[W:g])`
 * reads the 5m base rate at every multiple of g (the latest sample within Prometheus' 5m lookback),
 * so each stretch of time weighs the same however densely its samples were written (30 s live
 * evaluation, a 5m backfill, a changed evaluation interval). Events in W = Σ rate5m × g.
 * Windows up to 6h use a 1m grid (the long window of a page lags at most 1m); longer windows and
 * periods a 5m grid (8,640 points for 30 days). Sample spacing must not exceed the 5m lookback.
 */
export function gridSeconds(windowSeconds: number): number {
  return windowSeconds <= 6 * 3600 ? 60 : BASE_WINDOW_SECONDS;
}

/**
 * Share of the period that must hold data before alerts that judge the whole period (budget
 * exhausted) may fire: a budget computed from 12 minutes of a 30-day period is a guess.
 */
export const FULL_PERIOD_COVERAGE = 0.95;

/** Rounds to 6 significant decimals so thresholds print as 14.4, not 14.399999999999999. */
export function round6(x: number): number {
  return Number(x.toFixed(6));
}

function roundToMinute(seconds: number): number {
  return Math.max(60, Math.round(seconds / 60) * 60);
}

/** Period length used for budgets and burn-rate scaling (calendar months budget as 30 days). */
export function periodSeconds(slo: Pick<SloSpec, "window">): number {
  return windowSeconds(slo.window);
}

/** Label value of the period window (`slo_window`), e.g. "30d"; calendar months record a rolling 30d. */
export function sloPeriodWindow(slo: Pick<SloSpec, "window">): string {
  return secondsToDuration(periodSeconds(slo));
}

/**
 * Workbook windows scaled to a period: windows scale by period/30d (rounded to whole minutes, short
 * windows never below the 5m base), and the burn rate is recomputed from the budget-consumed
 * fraction so every pair still means "N% of this period's budget in this long window".
 */
export function scaledWorkbookWindows(period: number): BurnWindow[] {
  return scaledWindowsOf(period).map((w) => ({ ...w }));
}

const scaledCache = new Map<number, readonly BurnWindow[]>();

/** Shared, read-only table of a period (callers must not mutate it). */
function scaledWindowsOf(period: number): readonly BurnWindow[] {
  let hit = scaledCache.get(period);
  if (!hit) {
    hit = computeScaled(period);
    scaledCache.set(period, hit);
  }
  return hit;
}

function computeScaled(period: number): BurnWindow[] {
  const scale = period / REFERENCE_PERIOD_SECONDS;
  return WORKBOOK_WINDOWS.map((w) => {
    const shortSeconds = Math.max(BASE_WINDOW_SECONDS, roundToMinute(w.shortSeconds * scale));
    // Short windows stop at the 5m base, so for short periods (1d: 1h/30 = 2m) the long window
    // keeps at least twice the short one instead of collapsing onto it.
    const longSeconds = Math.max(BASE_WINDOW_SECONDS, roundToMinute(w.longSeconds * scale), 2 * shortSeconds);
    return {
      ...w,
      longSeconds,
      shortSeconds,
      burnRate: round6((w.budgetConsumed * period) / longSeconds),
      forSeconds: roundToMinute(w.forSeconds * scale),
    };
  });
}

/**
 * The alert windows of an SLO: the scaled workbook table, or `alerting.windows` when set, filtered
 * by the page/ticket toggles and sorted (page first, then by long window). Custom windows get the
 * tiers fast/medium (page) and slow/long (ticket) in order of their long window.
 */
export function alertBurnWindows(slo: SloSpec): BurnWindow[] {
  return burnWindowsOf(slo).map((w) => ({ ...w }));
}

// Specs are immutable inputs; memoised by identity because generation asks several times per SLO.
const burnCache = new WeakMap<SloSpec, readonly BurnWindow[]>();

/**
 * The memoised alert windows of an SLO, shared and read-only (the generator uses them in its hot
 * loop; `alertBurnWindows` returns copies). Workbook windows are the per-period table's objects,
 * so derived per-window text can be memoised across SLOs by window identity.
 */
export function burnWindowsOf(slo: SloSpec): readonly BurnWindow[] {
  let hit = burnCache.get(slo);
  if (!hit) {
    hit = computeBurnWindows(slo);
    burnCache.set(slo, hit);
  }
  return hit;
}

function computeBurnWindows(slo: SloSpec): readonly BurnWindow[] {
  const period = periodSeconds(slo);
  const a = slo.alerting;
  let windows: readonly BurnWindow[];
  if (a.windows && a.windows.length > 0) {
    const sorted = [...a.windows]
      .map((w) => ({ w, long: durationToSeconds(w.longWindow), short: durationToSeconds(w.shortWindow) }))
      .sort((x, y) => sevOrder(x.w.severity) - sevOrder(y.w.severity) || x.long - y.long || x.short - y.short || x.w.burnRate - y.w.burnRate);
    let pages = 0;
    let tickets = 0;
    windows = sorted.map(({ w, long, short }) => {
      const tier: BurnTier = w.severity === "page" ? (pages++ === 0 ? "fast" : "medium") : tickets++ === 0 ? "slow" : "long";
      return {
        tier,
        severity: w.severity,
        longSeconds: long,
        shortSeconds: short,
        burnRate: w.burnRate,
        forSeconds: durationToSeconds(w.for),
        budgetConsumed: round6((w.burnRate * long) / period),
      };
    });
  } else {
    windows = scaledWindowsOf(period);
    const budget = errorBudgetFraction(slo.objective);
    // A tier whose error-ratio threshold (burn rate × budget) is 100% or more can never fire,
    // e.g. 14.4× below 93.06%; the admission gate warns about it.
    if (windows.some((w) => w.burnRate * budget >= 1)) windows = windows.filter((w) => w.burnRate * budget < 1);
    if (a.page && a.ticket) return windows;
  }
  return windows.filter((w) => (w.severity === "page" ? a.page : a.ticket));
}

function errorBudgetFraction(objectivePercent: number): number {
  return Number(((100 - objectivePercent) / 100).toPrecision(12));
}

/** Default (workbook) tiers left out because they cannot fire at the SLO's objective. */
export function defaultWindowsDropped(slo: SloSpec): BurnWindow[] {
  if (slo.alerting.windows && slo.alerting.windows.length > 0) return [];
  const budget = errorBudgetFraction(slo.objective);
  return scaledWindowsOf(periodSeconds(slo))
    .filter((w) => w.burnRate * budget >= 1 && (w.severity === "page" ? slo.alerting.page : slo.alerting.ticket))
    .map((w) => ({ ...w }));
}

function sevOrder(s: "page" | "ticket"): number {
  return s === "page" ? 0 : 1;
}

/** Windows every SLO records whatever its period, so dashboards can query them uniformly. */
export const STANDARD_WINDOWS_SECONDS: readonly number[] = [300, 1800, 3600, 7200, 21600, 86400, 259200];

/**
 * Windows that get `slo:sli_error:ratio`/`slo:burn_rate` recording rules: the standard workbook
 * windows (5m, 30m, 1h, 2h, 6h, 1d, 3d; recorded even when alerting is off, for dashboards), the
 * workbook windows scaled to the period, the SLO's alert windows and the period. Sorted ascending.
 */
export function recordedWindows(slo: SloSpec): number[] {
  return [...recordedWindowsOf(slo)];
}

const recordedByPeriod = new Map<number, readonly number[]>();
const recordedCache = new WeakMap<SloSpec, readonly number[]>();

/** Memoised, read-only `recordedWindows` (per period unless the SLO has its own alert windows). */
export function recordedWindowsOf(slo: SloSpec): readonly number[] {
  const custom = slo.alerting.enabled && !!slo.alerting.windows && slo.alerting.windows.length > 0;
  const period = periodSeconds(slo);
  if (!custom) {
    // Without `alerting.windows` the alert windows are a subset of the scaled table.
    let hit = recordedByPeriod.get(period);
    if (!hit) {
      hit = computeRecorded(period, []);
      recordedByPeriod.set(period, hit);
    }
    return hit;
  }
  let hit = recordedCache.get(slo);
  if (!hit) {
    hit = computeRecorded(period, burnWindowsOf(slo));
    recordedCache.set(slo, hit);
  }
  return hit;
}

function computeRecorded(period: number, alertWindows: readonly BurnWindow[]): readonly number[] {
  const set = new Set<number>([...STANDARD_WINDOWS_SECONDS, period]);
  for (const w of scaledWindowsOf(period)) {
    set.add(w.longSeconds);
    set.add(w.shortSeconds);
  }
  for (const w of alertWindows) {
    set.add(w.longSeconds);
    set.add(w.shortSeconds);
  }
  return [...set].sort((x, y) => x - y);
}
