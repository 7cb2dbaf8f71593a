import { promqlString } from "../promql/escape";
import { secondsToDuration } from "../spec/common";
import { RULE_NAMES } from "../rules/names";
import { BASE_WINDOW_SECONDS, gridSeconds, WORKBOOK_WINDOWS } from "../rules/windows";

/**
 * Read side of the rule contract: the PromQL every view (board, SLO page, report, API, exports)
 * uses to read what the generator writes, beside the rule names in rules/names.ts. A renamed rule
 * breaks a unit test here, not a page.
 */

/**
 * Series a history backfill writes (value 1 every 5m) over the stretch it filled in: recording rules
 * can be backfilled, alerting rules cannot, so ALERTS history is "not recorded" there, not "no alert".
 */
export const HISTORY_BACKFILL_METRIC = "burnrate_history_backfilled";

/** Board queries: one per figure for every SLO at once, so the count does not grow with the catalogue. */
export const BOARD_QUERIES = {
  burn: RULE_NAMES.burnRate,
  budget: RULE_NAMES.budgetRemaining,
  events: RULE_NAMES.totalPeriod,
  coverage: RULE_NAMES.coveragePeriod,
  alerts: `ALERTS{alertname=~"SLO.*"}`,
} as const;

/** Burn windows the board shows, in time order: the 5m base and the workbook's long windows (5m, 1h, 6h, 1d, 3d). */
export const BOARD_WINDOWS: readonly string[] = [BASE_WINDOW_SECONDS, ...WORKBOOK_WINDOWS.map((w) => w.longSeconds)]
  .sort((a, b) => a - b)
  .map((s) => secondsToDuration(s));

/**
 * Burn-rate levels from the workbook table: `page` is the lowest paging burn (6x: 5% of a 30-day
 * budget in 6h), `fastPage` the fast page (14.4x), `sustainable` 1x (the budget lasts the period).
 */
export const BURN_THRESHOLDS = {
  fastPage: Math.max(...WORKBOOK_WINDOWS.filter((w) => w.severity === "page").map((w) => w.burnRate)),
  page: Math.min(...WORKBOOK_WINDOWS.filter((w) => w.severity === "page").map((w) => w.burnRate)),
  sustainable: 1,
} as const;

/** Budget levels: below `low` remaining the budget is shown as running low; at or below 0 it is exhausted. */
export const BUDGET_THRESHOLDS = { low: 0.25, exhausted: 0 } as const;

/** Orders window labels by length (5m, 30m, 1h, 2h, 6h, 1d, 3d, 30d), not as text. */
export function sortWindows(windows: readonly string[]): string[] {
  return [...windows].sort((a, b) => windowLabelSeconds(a) - windowLabelSeconds(b) || a.localeCompare(b));
}

function windowLabelSeconds(w: string): number {
  const re = /(\d+)([smhdw])/g;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(w)) !== null) total += Number(m[1]) * (unit[m[2] as string] ?? 0);
  return total || Number.MAX_SAFE_INTEGER;
}

function sloSel(metric: string, slug: string, extra = ""): string {
  return `${metric}{slo=${promqlString(slug)}${extra}}`;
}

/**
 * Queries of one SLO's page. The headline figures are the same recorded series the board reads;
 * the burndown reads the 5m base rates on the same time grid the period rules use.
 */
export function sloDetailQueries(slug: string, periodSeconds: number) {
  return {
    burn: sloSel(RULE_NAMES.burnRate, slug),
    budget: sloSel(RULE_NAMES.budgetRemaining, slug),
    events: sloSel(RULE_NAMES.totalPeriod, slug),
    coverage: sloSel(RULE_NAMES.coveragePeriod, slug),
    /** For query_range at `burndownStep`: base error and total rates. */
    errorRate: `sum(${sloSel(RULE_NAMES.errorRate5m, slug)})`,
    totalRate: `sum(${sloSel(RULE_NAMES.totalRate5m, slug)})`,
    burndownStep: gridSeconds(periodSeconds),
    /** Backfilled stretches over a range (alert history not recorded there), per `step` bucket. */
    backfilled: (step: number) => `max(max_over_time(${HISTORY_BACKFILL_METRIC}[${secondsToDuration(step)}]))`,
    /** Firing alerts over a range, for the alert history (max_over_time per `step` bucket). */
    firing: (step: number) => `max_over_time(${sloSel("ALERTS", slug, ',alertstate="firing"')}[${secondsToDuration(step)}])`,
  };
}

/**
 * Stretches (epoch ms) where the alert history was not recorded, from the `backfilled` query's
 * samples (epoch s, one per `step` bucket ending at the sample time): consecutive buckets merge.
 */
export function notRecordedRanges(samples: readonly (readonly [number, number])[], step: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (const [t, v] of [...samples].sort((a, b) => a[0] - b[0])) {
    if (!(v > 0)) continue;
    const from = (t - step) * 1000;
    const last = out.at(-1);
    if (last && from <= last.to) last.to = t * 1000;
    else out.push({ from, to: t * 1000 });
  }
  return out;
}
