import { describe, expect, it } from "vitest";
import { ApiError } from "~/server/http/errors";
import { currentIncidentsSince, reportMonth } from "~/server/services/report-period";

const DAY = 86_400_000;
const ZONES = ["UTC", "America/Los_Angeles", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Kiritimati"];
// Instants chosen by the test; the clock matrix also runs this file at odd instants and zones, and
// no assertion reads the clock.
const at = {
  monthEnd: Date.UTC(2028, 0, 31, 23, 59, 30),
  yearEnd: Date.UTC(2028, 11, 31, 23, 59, 30),
  feb28: Date.UTC(2028, 1, 28, 23, 59, 30),
  leapDay: Date.UTC(2028, 1, 29, 12),
  firstSecond: Date.UTC(2028, 2, 1, 0, 0, 30),
  euDst: Date.UTC(2028, 2, 26, 0, 59, 30),
  usDst: Date.UTC(2028, 2, 12, 9, 59, 30),
  lordHoweDst: Date.UTC(2028, 3, 1, 14, 59, 30),
};

/** Runs `f` with the process in each zone (Node re-reads TZ when it is assigned) and returns the results. */
function inEachZone<T>(f: () => T): T[] {
  const saved = process.env.TZ;
  try {
    return ZONES.map((tz) => {
      process.env.TZ = tz;
      return f();
    });
  } finally {
    process.env.TZ = saved;
  }
}

function rejection(f: () => unknown): { code: string; fields?: Record<string, string> } | null {
  try {
    f();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return { code: (e as ApiError).code, fields: (e as ApiError).fields };
  }
}

describe("budget report periods: UTC calendar months at the handler's instant", () => {
  it("a finished month spans its whole UTC days: 31 in January, 29 in February 2028, 31 in a month with a DST change", () => {
    expect(reportMonth("2028-01", at.leapDay)).toEqual({ from: Date.UTC(2028, 0, 1), to: Date.UTC(2028, 1, 1), end: Date.UTC(2028, 1, 1), monthToDate: false, range: `${31 * 86_400}s` });
    expect(reportMonth("2028-02", at.firstSecond)).toMatchObject({ end: Date.UTC(2028, 2, 1), monthToDate: false, range: `${29 * 86_400}s` });
    expect(reportMonth("2028-03", at.lordHoweDst)).toMatchObject({ from: Date.UTC(2028, 2, 1), end: Date.UTC(2028, 3, 1), range: `${31 * 86_400}s` });
    expect(reportMonth("2027-02", at.leapDay).range).toBe(`${28 * 86_400}s`);
  });

  it("the month in progress ends at now: the last 30 s of January, the leap day, the last second of the year", () => {
    expect(reportMonth("2028-01", at.monthEnd)).toMatchObject({ end: at.monthEnd, monthToDate: true, range: `${31 * 86_400 - 30}s` });
    expect(reportMonth("2028-02", at.feb28)).toMatchObject({ monthToDate: true, range: `${28 * 86_400 - 30}s` });
    expect(reportMonth("2028-02", at.leapDay)).toMatchObject({ monthToDate: true, range: `${28 * 86_400 + 12 * 3_600}s` });
    expect(reportMonth("2028-12", at.yearEnd)).toMatchObject({ to: Date.UTC(2029, 0, 1), end: at.yearEnd, monthToDate: true });
    expect(reportMonth("2028-03", at.usDst)).toMatchObject({ end: at.usDst, range: `${(at.usDst - Date.UTC(2028, 2, 1)) / 1000}s` });
  });

  it("the first seconds of a month still give a valid range of one minute", () => {
    expect(reportMonth("2028-03", at.firstSecond)).toMatchObject({ from: Date.UTC(2028, 2, 1), end: at.firstSecond, range: "60s" });
    expect(reportMonth("2028-03", Date.UTC(2028, 2, 1))).toMatchObject({ monthToDate: true, range: "60s" });
  });

  it("a month that has not started at now, or a malformed one, is a 422 naming period", () => {
    // 30 s before midnight UTC on 31 January it is already February in Lord Howe: still refused.
    expect(rejection(() => reportMonth("2028-02", at.monthEnd))).toEqual({ code: "validation_failed", fields: { period: "is in the future" } });
    expect(rejection(() => reportMonth("2029-01", at.yearEnd))?.fields).toEqual({ period: "is in the future" });
    for (const bad of ["2028-13", "2028-00", "2028-2", "28-02", "2028-02-01", "", "2028-02 ", "２０２８-02"]) {
      expect(rejection(() => reportMonth(bad, at.leapDay))).toEqual({ code: "validation_failed", fields: { period: 'use "current" or a month like 2026-10' } });
    }
  });

  it("the current report counts incidents of the last 30 × 24 h, across a DST change too", () => {
    expect(currentIncidentsSince(at.euDst)).toBe(Date.UTC(2028, 1, 25, 0, 59, 30));
    expect(currentIncidentsSince(at.firstSecond)).toBe(Date.UTC(2028, 0, 31, 0, 0, 30));
    expect(at.lordHoweDst - currentIncidentsSince(at.lordHoweDst)).toBe(30 * DAY);
  });

  it("the process's time zone never changes a period: every month boundary from 1999 to 2030 ± 30 s", () => {
    const boundaries = Array.from({ length: 32 * 12 }, (_, m) => ({ first: Date.UTC(1999, m, 1), period: new Date(Date.UTC(1999, m, 1)).toISOString().slice(0, 7), previous: new Date(Date.UTC(1999, m - 1, 1)).toISOString().slice(0, 7) }));
    const results = inEachZone(() => boundaries.map(({ first, period, previous }) => ({ started: reportMonth(period, first + 30_000), ended: reportMonth(previous, first - 30_000), since: currentIncidentsSince(first) })));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]!.map((r) => [r.started.from, r.started.end, r.started.range, r.ended.to, r.ended.end, r.ended.monthToDate])).toEqual(boundaries.map(({ first }) => [first, first + 30_000, "60s", first, first - 30_000, true]));
    for (const now of Object.values(at)) {
      const results = inEachZone(() => reportMonth(new Date(now).toISOString().slice(0, 7), now));
      for (const r of results) expect(r).toEqual(results[0]);
    }
  });
});
