/**
 * Expiry of sessions and API tokens. The caller reads the clock once (the route handler or the
 * sign-in handler) and passes the instant; nothing here reads it. An expiry is an instant, not a
 * calendar date, so the process's time zone and DST never move it: a 24-hour session that starts
 * the evening before a DST change still lasts 86 400 s.
 */
import { DAY_MS } from "../calendar";

const HOUR_MS = 3_600_000;

/** When a session started at `now` (epoch ms) expires after `ttlHours` hours. */
export function sessionExpiry(now: number, ttlHours: number): Date {
  return new Date(now + ttlHours * HOUR_MS);
}

/** When an API token created at `now` expires after `expiresInDays` days of 24 h; null = never. */
export function tokenExpiry(now: number, expiresInDays: number | null): Date | null {
  return expiresInDays === null ? null : new Date(now + expiresInDays * DAY_MS);
}

/**
 * True when a credential that expires at `expiresAt` (null = never) is no longer valid at `now`.
 * The expiry instant itself is already expired (the cookie that carries a session has the same
 * `Expires`), so a session and a token end the same way.
 */
export function isExpired(expiresAt: Date | null, now: number): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now;
}

/** The 401 message for an expired API token (the instant in UTC, ISO 8601). */
export function expiredTokenMessage(expiresAt: Date): string {
  return `this API token expired on ${expiresAt.toISOString()}; create a new one under API tokens`;
}
