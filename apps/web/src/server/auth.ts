import "server-only";
import { sha256 } from "@burnrate/db";
import { expiredTokenMessage, isExpired } from "@burnrate/domain";
import type { NextRequest } from "next/server";
import { env } from "~/lib/env";
import { db } from "./db";
import { ApiError } from "./http/errors";
import { clientIp as trustedClientIp, requestOrigins } from "./http/proxy";

export type Role = "viewer" | "editor" | "admin";
const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

/** Who is calling: a signed-in user (session cookie), an API token's user, or nobody. */
export type Principal = {
  id: string;
  /** Name used in the audit log (email). */
  name: string;
  email: string;
  displayName: string;
  isAdmin: boolean;
  /** Team slug → role. */
  roles: Record<string, Role>;
  via: "session" | "token" | "auth-disabled";
  /** When the caller is an API token: when it expires (null: never). Tokens it mints may not outlive it. */
  tokenExpiresAt?: Date | null;
};

export const SESSION_COOKIE = "burnrate_session";

/** With BURNRATE_AUTH=off every caller is an administrator (single-user local trials only). */
const AUTH_DISABLED: Principal = { id: "auth-disabled", name: "anonymous", email: "", displayName: "Anonymous (auth disabled)", isAdmin: true, roles: {}, via: "auth-disabled" };

export function authEnabled(): boolean {
  return env().BURNRATE_AUTH !== "off";
}

async function principalForUser(userId: string, via: Principal["via"]): Promise<Principal | null> {
  const u = await db().user.findUnique({ where: { id: userId }, include: { memberships: { include: { team: true } } } });
  if (!u || u.disabled) return null;
  return {
    id: u.id, name: u.email, email: u.email, displayName: u.name || u.email, isAdmin: u.isAdmin, via,
    roles: Object.fromEntries(u.memberships.map((m) => [m.team.slug, m.role as Role])),
  };
}

/** Resolves the caller from `Authorization: Bearer br_…` or the session cookie, at `now` (read by the route wrapper). */
export async function resolvePrincipal(req: NextRequest, now: number): Promise<Principal | null> {
  if (!authEnabled()) return AUTH_DISABLED;
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(br_[A-Za-z0-9_-]{20,100})$/.exec(auth.trim());
    if (!m?.[1]) throw new ApiError("unauthorized", "malformed Authorization header; use: Authorization: Bearer br_…");
    const t = await db().apiToken.findUnique({ where: { tokenHash: sha256(m[1]) } });
    if (!t) throw new ApiError("unauthorized", "unknown or revoked API token");
    if (t.expiresAt && isExpired(t.expiresAt, now)) throw new ApiError("unauthorized", expiredTokenMessage(t.expiresAt));
    const who = await principalForUser(t.userId, "token");
    if (!who) throw new ApiError("unauthorized", "this API token belongs to a disabled user");
    who.tokenExpiresAt = t.expiresAt;
    void db().apiToken.update({ where: { id: t.id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
    return who;
  }
  const sid = req.cookies.get(SESSION_COOKIE)?.value;
  if (!sid) return null;
  const s = await db().session.findUnique({ where: { id: sha256(sid) } });
  if (!s || isExpired(s.expiresAt, now)) return null;
  return principalForUser(s.userId, "session");
}

export function roleOn(p: Principal, team: string): Role | null {
  return p.isAdmin ? "admin" : (p.roles[team] ?? null);
}

/** Throws 403 unless the caller has at least `need` on `team` (global admins pass everywhere). */
export function requireTeamRole(p: Principal, team: string, need: Role, what: string): void {
  const have = roleOn(p, team);
  if (!have || RANK[have] < RANK[need]) {
    throw new ApiError("forbidden", `${what} needs the ${need} role on team "${team}"${have ? ` (you are ${have})` : ""}`);
  }
}

export function requireAdmin(p: Principal, what: string): void {
  if (!p.isAdmin) throw new ApiError("forbidden", `${what} needs an administrator`);
}

/**
 * CSRF defence for cookie-authenticated mutations: the browser must send an Origin (or Referer)
 * of this site. Token-authenticated calls (CI, curl) carry no ambient credentials and are exempt.
 */
export function checkOrigin(req: NextRequest, p: Principal): void {
  if (p.via !== "session" || ["GET", "HEAD", "OPTIONS"].includes(req.method)) return;
  assertSameOrigin(req);
}

/**
 * The request's Origin (or, without one, its Referer's origin) must be this site. Forwarded host
 * headers count only from trusted proxies (BURNRATE_TRUST_PROXY). A malformed Referer is a 403.
 */
export function assertSameOrigin(req: NextRequest): void {
  let origin = req.headers.get("origin");
  if (!origin) {
    const referer = req.headers.get("referer");
    if (referer) {
      try {
        origin = new URL(referer).origin;
      } catch {
        throw new ApiError("forbidden", "cross-site request refused: malformed Referer header");
      }
    }
  }
  if (!origin) throw new ApiError("forbidden", "cross-site request refused: missing Origin header");
  if (!requestOrigins(req).includes(origin)) throw new ApiError("forbidden", `cross-site request refused: Origin ${origin.slice(0, 200)} is not this site`);
}

// ---------- rate limiting (in-process token buckets) ----------
type Bucket = { tokens: number; at: number };
const buckets = ((globalThis as unknown as { burnrateBuckets?: Map<string, Bucket> }).burnrateBuckets ??= new Map());

function refill(key: string, perMinute: number, now: number): Bucket {
  const b = buckets.get(key) ?? { tokens: perMinute, at: now };
  b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) / 60_000) * perMinute);
  b.at = now;
  buckets.set(key, b);
  if (buckets.size > 10_000) for (const [k, v] of buckets) if (now - v.at > 120_000) buckets.delete(k);
  return b;
}

function limited(b: Bucket, perMinute: number): ApiError {
  return new ApiError("rate_limited", `too many requests; try again in ${Math.ceil(((1 - b.tokens) / perMinute) * 60)} s`);
}

/** Allows `perMinute` requests per key, refilled continuously; throws 429 when exhausted. */
export function rateLimit(key: string, perMinute: number): void {
  const b = refill(key, perMinute, Date.now());
  if (b.tokens < 1) throw limited(b, perMinute);
  b.tokens -= 1;
}

/** Throws 429 when the bucket is empty, without taking from it (for limits counted on failures only). */
export function checkLimit(key: string, perMinute: number): void {
  const b = refill(key, perMinute, Date.now());
  if (b.tokens < 1) throw limited(b, perMinute);
}

/** Takes one from the bucket (a failure counted against a limit checked with checkLimit). */
export function countFailure(key: string, perMinute: number): void {
  const b = refill(key, perMinute, Date.now());
  b.tokens = Math.max(0, b.tokens - 1);
}

/**
 * Rate-limit key of the client: its address as the trusted proxies report it
 * (BURNRATE_TRUST_PROXY), or "unknown" when none is trusted, so that varying X-Forwarded-For
 * never earns a fresh bucket.
 */
export function clientIp(req: NextRequest): string {
  return trustedClientIp(req) ?? "unknown";
}
