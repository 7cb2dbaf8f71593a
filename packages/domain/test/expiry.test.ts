import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { expiredTokenMessage, isExpired, sessionExpiry, tokenExpiry } from "../src/index";

const H = 3_600_000;
const DAY = 86_400_000;
// Instants chosen by the test (the clock matrix also runs this file in several zones at odd
// instants; no assertion reads the clock): month and year ends, the leap day, and the instants
// just before the EU, US and Lord Howe DST changes of 2028.
const instants = {
  monthEnd: Date.UTC(2028, 0, 31, 23, 59, 30),
  yearEnd: Date.UTC(2028, 11, 31, 23, 59, 30),
  feb28: Date.UTC(2028, 1, 28, 23, 59, 30),
  leapDay: Date.UTC(2028, 1, 29, 12),
  euDst: Date.UTC(2028, 2, 26, 0, 59, 30),
  usDst: Date.UTC(2028, 2, 12, 9, 59, 30),
  lordHoweDst: Date.UTC(2028, 3, 1, 14, 59, 30),
};

describe("session and API token expiry are instants, whatever the zone or DST", () => {
  it("a session lasts exactly its TTL, across a DST change and a year end", () => {
    // 168 h (the default) from 30 s before the US change: 7 × 24 h later in UTC, not 7 local days.
    expect(sessionExpiry(instants.usDst, 168).toISOString()).toBe("2028-03-19T09:59:30.000Z");
    expect(sessionExpiry(instants.euDst, 1).toISOString()).toBe("2028-03-26T01:59:30.000Z");
    expect(sessionExpiry(instants.yearEnd, 1).toISOString()).toBe("2029-01-01T00:59:30.000Z");
    expect(sessionExpiry(instants.lordHoweDst, 24).getTime() - instants.lordHoweDst).toBe(24 * H);
  });

  it("a token lasts whole days of 24 h; the leap day counts; null never expires", () => {
    expect(tokenExpiry(instants.feb28, 1)?.toISOString()).toBe("2028-02-29T23:59:30.000Z");
    expect(tokenExpiry(instants.feb28, 2)?.toISOString()).toBe("2028-03-01T23:59:30.000Z");
    expect(tokenExpiry(instants.leapDay, 365)?.toISOString()).toBe("2029-02-28T12:00:00.000Z");
    expect(tokenExpiry(instants.monthEnd, 30)?.toISOString()).toBe("2028-03-01T23:59:30.000Z");
    expect(tokenExpiry(instants.yearEnd, 90)?.toISOString()).toBe("2029-03-31T23:59:30.000Z");
    expect(tokenExpiry(instants.euDst, 90)?.toISOString()).toBe("2028-06-24T00:59:30.000Z");
    expect(tokenExpiry(instants.usDst, null)).toBeNull();
    expect(isExpired(tokenExpiry(instants.usDst, null), Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it("a credential is valid strictly before its expiry and expired from that instant on", () => {
    for (const now of Object.values(instants)) {
      const at = sessionExpiry(now, 1);
      expect(isExpired(at, now)).toBe(false);
      expect(isExpired(at, at.getTime() - 1)).toBe(false);
      expect(isExpired(at, at.getTime())).toBe(true);
      expect(isExpired(at, at.getTime() + 1)).toBe(true);
    }
  });

  it("created at t with d days, a token is valid for exactly d × 24 h (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }), fc.integer({ min: 1, max: 3650 }), (now, days) => {
        const at = tokenExpiry(now, days)!;
        expect(at.getTime() - now).toBe(days * DAY);
        expect(isExpired(at, now + days * DAY - 1)).toBe(false);
        expect(isExpired(at, now + days * DAY)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("the expired-token message names the instant in UTC, not in the server's zone", () => {
    expect(expiredTokenMessage(new Date(instants.lordHoweDst))).toBe("this API token expired on 2028-04-01T14:59:30.000Z; create a new one under API tokens");
  });
});
