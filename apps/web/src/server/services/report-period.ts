import "server-only";
import { DAY_MS, monthAt, utcMonth } from "@burnrate/domain";
import { ApiError } from "../http/errors";

/** The "current" report counts incidents opened in the last 30 days (of 24 h) before `now`. */
export const REPORT_INCIDENT_DAYS = 30;

/** Start (epoch ms) of the incident count of the "current" report at `now`. */
export function currentIncidentsSince(now: number): number {
  return now - REPORT_INCIDENT_DAYS * DAY_MS;
}

/**
 * A calendar-month report period (`YYYY-MM`) as seen at `now` (read by the route handler): its UTC
 * bounds from the domain calendar, the end of its data (`now` for the month in progress) and the
 * PromQL range that covers [from, end] (at least one minute, so the first seconds of a month still
 * form a valid range). A malformed or future month is a 422 naming `period`, never a 500.
 */
export function reportMonth(period: string, now: number): { from: number; to: number; end: number; monthToDate: boolean; range: string } {
  if (!utcMonth(period)) throw new ApiError("validation_failed", 'period: use "current" or a month like 2026-10', { period: 'use "current" or a month like 2026-10' });
  const month = monthAt(period, now);
  if (!month) throw new ApiError("validation_failed", "period: that month has not started yet", { period: "is in the future" });
  return { ...month, range: `${Math.max(60, Math.floor((month.end - month.from) / 1000))}s` };
}
