import "server-only";
import { DAY_MS, reportPeriod, type ReportPeriod } from "@burnrate/domain";
import { ApiError } from "../http/errors";

/** The "current" report counts incidents opened in the last 30 days (of 24 h) before `now`. */
export const REPORT_INCIDENT_DAYS = 30;

/** Start (epoch ms) of the incident count of the "current" report at `now`. */
export function currentIncidentsSince(now: number): number {
  return now - REPORT_INCIDENT_DAYS * DAY_MS;
}

/**
 * The domain's report period (`current` or a UTC calendar month `YYYY-MM`) as seen at `now` (read by
 * the route handler); a malformed or future month is a 422 naming `period`, never a 500.
 */
export function reportPeriodAt(period: string, now: number): ReportPeriod {
  const p = reportPeriod(period, now);
  if (p === null) throw new ApiError("validation_failed", 'period: use "current" or a month like 2026-10', { period: 'use "current" or a month like 2026-10' });
  if (p === "future") throw new ApiError("validation_failed", "period: that month has not started yet", { period: "is in the future" });
  return p;
}

/**
 * A calendar month's bounds: [from, to) in UTC, the end of its data (`now` for the month in
 * progress) and the PromQL range that covers [from, end] (at least one minute, so the first seconds
 * of a month still form a valid range).
 */
export function reportMonth(period: string, now: number): { from: number; to: number; end: number; monthToDate: boolean; range: string } {
  const p = reportPeriodAt(period, now);
  if (p.from === null || p.to === null) throw new ApiError("validation_failed", "period: a month like 2026-10", { period: "a month like 2026-10" });
  const { from, to: end } = p;
  const d = new Date(from);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { from, to, end, monthToDate: p.monthToDate, range: `${Math.max(60, Math.floor((end - from) / 1000))}s` };
}
