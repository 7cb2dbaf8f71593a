/**
 * A figure that may be unknown. Every view (API, page, exporter test) uses this one shape, so "no
 * data" has one meaning whether it came from a database null or a PromQL NaN (0 ÷ 0):
 *
 *   { value: 12.5 }                                      a known value
 *   { value: null, reason: "no incidents resolved…" }    no data, and why
 *
 * A figure whose answer can be "never" (budget exhaustion at zero burn) uses `Figure<number |
 * "never">`: "never" is a real answer, distinct from no data, and survives JSON (unlike +Inf).
 * Two figures are the same figure when `sameFigure` says so (equal reasons, values within a
 * tolerance).
 */
export type Figure<T = number> = { value: T; reason?: undefined } | { value: null; reason: string };

export const NEVER = "never" as const;
export type Never = typeof NEVER;

export function known<T>(value: T): Figure<T> {
  return { value };
}

export function noData(reason: string): { value: null; reason: string } {
  return { value: null, reason };
}

/**
 * A figure from a number that may be absent: null/undefined/NaN are no data (with `reason`); +Inf
 * and -Inf are kept only when `infinity` names what they mean (e.g. "never"), otherwise they are
 * no data too, since a JSON API cannot carry them.
 */
export function figureOf(value: number | null | undefined, reason: string): Figure<number>;
export function figureOf<I>(value: number | null | undefined, reason: string, infinity: I): Figure<number | I>;
export function figureOf<I>(value: number | null | undefined, reason: string, infinity?: I): Figure<number | I> {
  if (value === null || value === undefined || Number.isNaN(value)) return noData(reason);
  if (value === Infinity && infinity !== undefined) return known(infinity);
  if (!Number.isFinite(value)) return noData(reason);
  return known(value);
}

/** True when both figures are no data for the same reason, or both known and equal (numbers within `tolerance`, relative or absolute). */
export function sameFigure<T>(a: Figure<T>, b: Figure<T>, tolerance = 0): boolean {
  if (a.value === null || b.value === null) return a.value === b.value && a.reason === b.reason;
  if (typeof a.value === "number" && typeof b.value === "number") {
    const diff = Math.abs(a.value - b.value);
    return diff <= tolerance || diff <= tolerance * Math.max(Math.abs(a.value), Math.abs(b.value));
  }
  return a.value === b.value;
}

/**
 * Projected time (epoch ms) at which a budget is exhausted at a constant burn rate, as a figure:
 * - no data when the remaining budget or the burn rate is unknown;
 * - the instant `now` when the budget is already exhausted (remaining ≤ 0);
 * - "never" at zero burn;
 * - otherwise now + remaining ÷ burn × period.
 * `burnRate` is the multiple of the sustainable rate (1 = the budget lasts exactly one period).
 */
export function exhaustionFigure(opts: { now: number; remaining: number | null; burnRate: number | null; periodSeconds: number }): Figure<number | Never> {
  const { now, remaining, burnRate, periodSeconds } = opts;
  if (remaining === null || !Number.isFinite(remaining)) return noData("no budget figure for the period");
  if (remaining <= 0) return known(now);
  if (burnRate === null || Number.isNaN(burnRate)) return noData("no burn rate (no traffic in the burn window)");
  if (burnRate <= 0) return known(NEVER);
  return known(now + (remaining / burnRate) * periodSeconds * 1000);
}
