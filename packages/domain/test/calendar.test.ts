import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { computeDora, doraWindow, monthAt, recentUtcMonths, utcDayStart, utcMonth, utcMonthOf, type DoraDeployment } from "../src/index";

const DAY = 86_400_000;
// The clock matrix runs this file at chosen instants in several zones; the instants below are
// chosen by the test, and the process's zone must never change a result.
const instants = [
  Date.UTC(2028, 0, 31, 23, 59, 30), Date.UTC(2028, 11, 31, 23, 59, 30), Date.UTC(2028, 1, 28, 23, 59, 30), Date.UTC(2028, 1, 29, 12),
  Date.UTC(2028, 2, 26, 0, 59, 30), Date.UTC(2028, 2, 12, 9, 59, 30), Date.UTC(2028, 3, 1, 14, 59, 30), Date.UTC(2027, 5, 15, 0, 0, 30),
];

describe("calendar periods are UTC whatever the process's time zone", () => {
  it("months: bounds, the month of an instant, month-to-date", () => {
    expect(utcMonth("2028-02")).toEqual({ from: Date.UTC(2028, 1, 1), to: Date.UTC(2028, 2, 1) });
    expect((utcMonth("2028-02")!.to - utcMonth("2028-02")!.from) / DAY).toBe(29);
    expect(utcMonth("2028-12")!.to).toBe(Date.UTC(2029, 0, 1));
    expect(utcMonth("2028-13")).toBeNull();
    expect(utcMonthOf(Date.UTC(2028, 11, 31, 23, 59, 59, 999))).toBe("2028-12");
    expect(utcMonthOf(Date.UTC(2029, 0, 1))).toBe("2029-01");
    expect(recentUtcMonths(Date.UTC(2028, 0, 31, 23, 59, 30), 3)).toEqual(["2028-01", "2027-12", "2027-11"]);
    expect(monthAt("2028-02", Date.UTC(2028, 1, 29, 12))).toEqual({ from: Date.UTC(2028, 1, 1), to: Date.UTC(2028, 2, 1), end: Date.UTC(2028, 1, 29, 12), monthToDate: true });
    expect(monthAt("2028-03", Date.UTC(2028, 1, 29, 12))).toBeNull();
    expect(monthAt("2028-01", Date.UTC(2028, 1, 1))?.monthToDate).toBe(false);
  });

  it("every instant lies in its month and day, and each month is 28–31 whole UTC days (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const m = utcMonth(utcMonthOf(ms))!;
        expect(ms >= m.from && ms < m.to).toBe(true);
        const days = (m.to - m.from) / DAY;
        expect(Number.isInteger(days) && days >= 28 && days <= 31).toBe(true);
        expect(utcDayStart(ms) % DAY).toBe(0);
        expect(ms - utcDayStart(ms)).toBeLessThan(DAY);
      }),
      { numRuns: 200 },
    );
  });

  it("DORA windows and deploy days are the same in every zone, across DST changes", () => {
    for (const now of [...instants, Date.now()]) {
      const { from, to } = doraWindow(now, 7);
      expect(to % DAY).toBe(0);
      expect(to).toBeLessThanOrEqual(now);
      expect(now - to).toBeLessThan(DAY);
      expect(to - from).toBe(7 * DAY);
      // A deploy at 00:30 and 23:30 UTC of each day: 7 deploy days, 2/day, whatever the zone's DST.
      const deps: DoraDeployment[] = [];
      for (let d = 0; d < 7; d++) for (const h of [0.5, 23.5]) deps.push({ id: `${d}-${h}`, service: "a", environment: "production", finishedAt: new Date(from + d * DAY + h * 3_600_000).toISOString(), result: "success", kind: "planned" });
      const m = computeDora(deps, [], { from, to }).overall;
      expect(m.deploymentFrequency).toEqual({ perDay: 2, deployDays: 7, deployDaysPerWeek: 7 });
    }
  });

  it("the clock the suite runs at is the one the matrix chose (when run by the matrix)", () => {
    const chosen = Number(process.env.CLOCK_INSTANT_MS);
    if (!Number.isFinite(chosen)) return;
    expect(Math.abs(Date.now() - chosen)).toBeLessThan(10 * 60_000);
    expect(utcMonthOf(Date.now())).toBe(new Date().toISOString().slice(0, 7));
  });
});
