/**
 * Calendar periods. They are UTC: the process's time zone never changes a figure (a Burnrate in
 * Sydney and one in Los Angeles report the same month). Every function takes its instant from the
 * caller; none reads the clock.
 */
export const DAY_MS = 86_400_000;

/** Start (epoch ms) of the UTC day containing `ms`. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** A calendar month `YYYY-MM` as the half-open UTC interval [from, to), or null if malformed. */
export function utcMonth(period: string): { from: number; to: number } | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  return { from: Date.UTC(year, month, 1), to: Date.UTC(year, month + 1, 1) };
}

/** The `YYYY-MM` of the UTC month containing `ms`. */
export function utcMonthOf(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, "0")}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The `n` UTC months ending with the one containing `ms`, newest first. */
export function recentUtcMonths(ms: number, n: number): string[] {
  const d = new Date(ms);
  return Array.from({ length: n }, (_, i) => utcMonthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)));
}

/**
 * A month as seen at `now`: its UTC bounds, the end of the data (`now` for the month in progress)
 * and whether it is month-to-date; null for a month that has not started.
 */
export function monthAt(period: string, now: number): { from: number; to: number; end: number; monthToDate: boolean } | null {
  const m = utcMonth(period);
  if (!m || m.from > now) return null;
  return { ...m, end: Math.min(m.to, now), monthToDate: now < m.to };
}
