import "server-only";
import { randomBytes } from "node:crypto";
import { sha256 } from "@burnrate/db";
import { sessionExpiry } from "@burnrate/domain";
import type { NextRequest, NextResponse } from "next/server";
import { env } from "~/lib/env";
import { SESSION_COOKIE } from "./auth";
import { db } from "./db";

/** True when cookies must carry Secure: the public URL or the request itself is https. */
export function secureCookies(req: NextRequest): boolean {
  const pub = env().BURNRATE_PUBLIC_URL;
  return pub ? pub.startsWith("https:") : req.nextUrl.protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
}

/**
 * Starts a session for a user who just proved who they are (password or SSO): stores the hash of a
 * random id, sets the httpOnly cookie on `res`, records the sign-in time and drops expired sessions.
 * `now` is the sign-in instant, read once by the route handler.
 */
export async function startSession(req: NextRequest, res: NextResponse, userId: string, now: number): Promise<void> {
  const sid = randomBytes(32).toString("base64url");
  const expiresAt = sessionExpiry(now, env().BURNRATE_SESSION_TTL_HOURS);
  await db().session.create({ data: { id: sha256(sid), userId, expiresAt } });
  await db().session.deleteMany({ where: { userId, expiresAt: { lte: new Date(now) } } });
  await db().user.update({ where: { id: userId }, data: { lastLoginAt: new Date(now) } });
  res.cookies.set(SESSION_COOKIE, sid, { httpOnly: true, sameSite: "lax", secure: secureCookies(req), path: "/", expires: expiresAt });
}

/** The origin users reach Burnrate at: BURNRATE_PUBLIC_URL, else the request's own host. */
export function publicOrigin(req: NextRequest): string {
  const pub = env().BURNRATE_PUBLIC_URL;
  if (pub) return new URL(pub).origin;
  // Proxies may send comma-separated lists; the first entry is the client-facing one.
  const host = (req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? req.nextUrl.host).split(",")[0]?.trim();
  const proto = (req.headers.get("x-forwarded-proto") ?? req.nextUrl.protocol.replace(":", "")).split(",")[0]?.trim() === "https" ? "https" : "http";
  return `${proto}://${host}`;
}

/**
 * Only same-site paths are followed after sign-in (no open redirects). The path is resolved the way
 * a browser resolves it (which drops tabs/newlines and treats "\\" as "/", so "/\t/evil.com" would
 * otherwise lead to evil.com) and must stay on this origin; the normalised path is returned.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.length > 2048) return "/";
  const base = "http://burnrate.invalid";
  try {
    const u = new URL(next, base);
    return u.origin === base ? `${u.pathname}${u.search}${u.hash}` : "/";
  } catch {
    return "/";
  }
}
