import { exhaustionFigure, figureOf, noData, type Figure, type Never } from "../figure";
import { secondsToDuration } from "../spec/common";
import { FULL_PERIOD_COVERAGE, gridSeconds } from "../rules/windows";

/** How much of a window holds data, e.g. "12 min of 30 d" when partial. */
export type Coverage = {
  /** Seconds of the window that hold data. */
  seconds: number;
  windowSeconds: number;
  /** True when the window holds less data than its length (new SLO, new Prometheus, a gap). */
  partial: boolean;
  /** "12 min of 30 d" when partial, "30 d" when complete. */
  label: string;
};

/** A duration for people: "45 s", "12 min", "5 h 20 min", "3 d 4 h". */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * Coverage of a window from the seconds that hold data. Data counted on the window's time grid is
 * complete when at most one grid step is missing (the window edge).
 */
export function coverageOf(seconds: number | null | undefined, windowSeconds: number): Coverage {
  const covered = seconds !== null && seconds !== undefined && Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), windowSeconds) : 0;
  const partial = covered + gridSeconds(windowSeconds) < windowSeconds;
  return { seconds: covered, windowSeconds, partial, label: partial ? `${humanDuration(covered)} of ${humanDuration(windowSeconds)}` : humanDuration(windowSeconds) };
}

/** Burn window used to project exhaustion: the longest recorded of 1d, 6h, 1h (steady, yet current). */
export const EXHAUSTION_BURN_WINDOWS: readonly string[] = ["1d", "6h", "1h"];

/** The figures of one SLO over its period, as every view shows them. */
export type SloFigures = {
  /** 1 = untouched, 0 = exhausted, negative = overspent; computed from the events of the covered part of the period. */
  budgetRemaining: Figure<number>;
  /** Share of the budget spent (1 − remaining). */
  budgetConsumed: Figure<number>;
  /** Error ratio of the period (events counted on the time grid). */
  errorRatio: Figure<number>;
  eventsInPeriod: Figure<number>;
  coverage: Coverage;
  /** Projected exhaustion (epoch ms) at the current burn, "never" at zero burn. */
  exhaustion: Figure<number | Never>;
  /**
   * The period holds enough data (FULL_PERIOD_COVERAGE) to judge the whole budget: only then is a
   * budget at or below 0 "exhausted" (alert, policy, deploy gate); before, it is a partial figure.
   */
  budgetDecidable: boolean;
  exhausted: boolean;
};

/**
 * One definition of an SLO's period figures from the recorded series (`slo:error_budget_remaining:ratio`,
 * `slo:sli_total:period`, `slo:sli_coverage:period_seconds`, `slo:burn_rate`), used by the board,
 * the SLO page, the report and the API.
 */
export function sloFigures(input: {
  now: number;
  periodSeconds: number;
  /** Objective in percent (99.9). */
  objective: number;
  budgetRemaining: number | null | undefined;
  events: number | null | undefined;
  coverageSeconds: number | null | undefined;
  burnRates: Record<string, number>;
}): SloFigures {
  const coverage = coverageOf(input.coverageSeconds, input.periodSeconds);
  const noSeries = coverage.seconds === 0 ? "no SLI data in the period yet (rules not evaluated or metrics not scraped)" : "no events in the period";
  const budgetRemaining = figureOf(input.budgetRemaining, noSeries);
  const budget = (100 - input.objective) / 100;
  const errorRatio: Figure<number> = budgetRemaining.value === null ? noData(budgetRemaining.reason) : { value: (1 - budgetRemaining.value) * budget };
  const budgetConsumed: Figure<number> = budgetRemaining.value === null ? noData(budgetRemaining.reason) : { value: 1 - budgetRemaining.value };
  const events = figureOf(input.events, coverage.seconds === 0 ? noSeries : "no events in the period");
  const w = EXHAUSTION_BURN_WINDOWS.find((k) => Number.isFinite(input.burnRates[k]));
  const exhaustion = exhaustionFigure({ now: input.now, remaining: budgetRemaining.value, burnRate: w === undefined ? null : (input.burnRates[w] as number), periodSeconds: input.periodSeconds });
  const budgetDecidable = coverage.seconds >= input.periodSeconds * FULL_PERIOD_COVERAGE;
  return { budgetRemaining, budgetConsumed, errorRatio, eventsInPeriod: events, coverage, exhaustion, budgetDecidable, exhausted: budgetDecidable && budgetRemaining.value !== null && budgetRemaining.value <= 0 };
}

/** A point of the budget burndown: remaining budget after the events up to `t`. */
export type BurndownPoint = { t: number; errorRatio: number | null; budgetRemaining: number | null };

/**
 * Budget burndown over a period from the 5m base rates sampled on the period's time grid (the
 * same samples the period rules sum): the period's budget is budget × all events counted, spent
 * by the bad events counted so far, so the curve starts at 100% and ends at the period figure.
 * `samples` are (epoch seconds, error rate, total rate) at `step`-second grid points.
 */
export function budgetBurndown(samples: readonly { t: number; errors: number | undefined; total: number | undefined }[], step: number, objective: number): BurndownPoint[] {
  const budget = (100 - objective) / 100;
  const ok = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
  let totalEvents = 0;
  for (const s of samples) if (ok(s.errors) && ok(s.total)) totalEvents += s.total * step;
  let spent = 0;
  return samples.map((s) => {
    if (ok(s.errors) && ok(s.total)) spent += s.errors * step;
    return {
      t: s.t * 1000,
      errorRatio: ok(s.errors) && ok(s.total) && s.total > 0 ? s.errors / s.total : null,
      budgetRemaining: totalEvents > 0 ? 1 - spent / (budget * totalEvents) : null,
    };
  });
}

/** The label of a period window (`30d`). */
export function periodLabel(periodSeconds: number): string {
  return secondsToDuration(periodSeconds);
}
