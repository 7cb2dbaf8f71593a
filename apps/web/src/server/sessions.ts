import "server-only";
import { randomBytes } from "node:crypto";
import { sha256 } from "@burnrate/db";
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
 */
export async function startSession(req: NextRequest, res: NextResponse, userId: string): Promise<void> {
  const sid = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + env().BURNRATE_SESSION_TTL_HOURS * 3600_000);
  await db().session.create({ data: { id: sha256(sid), userId, expiresAt } });
  await db().session.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  await db().user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });
  res.cookies.set(SESSION_COOKIE, sid, { httpOnly: true, sameSite: "lax", secure: secureCookies(req), path: "/", expires: expiresAt });
}

/** The origin users reach Burnrate at: BURNRATE_PUBLIC_URL, else the request's own host. */
export function publicOrigin(req: NextRequest): string {
  const pub = env().BURNRATE_PUBLIC_URL;
  if (pub) return new URL(pub).origin;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? req.nextUrl.host;
  const proto = req.headers.get("x-forwarded-proto") ?? req.nextUrl.protocol.replace(":", "");
  return `${proto}://${host}`;
}

/** Only same-site paths are followed after sign-in (no open redirects). */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") && next.length <= 2048 ? next : "/";
}
