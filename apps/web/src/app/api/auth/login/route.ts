// POST /api/auth/login {email, password} – starts a session (httpOnly cookie).
//
// Brute force and lock-out: failures are counted per email and per client address (as the
// trusted proxies report it, BURNRATE_TRUST_PROXY; without one, all unknown clients share one
// bucket). A browser that signed in to an account before carries a signed "known device" cookie
// for it: its attempts are counted on their own, so strangers failing on an email cannot lock
// its owner out of a device they already use.
import { verifyPassword } from "@burnrate/db";
import { NextResponse, type NextRequest } from "next/server";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { env } from "~/lib/env";
import { assertSameOrigin, checkLimit, clientIp, countFailure } from "~/server/auth";
import { startSession } from "~/server/sessions";
import { db } from "~/server/db";
import { ApiError } from "~/server/http/errors";
import { readJson, withApi } from "~/server/http/api";
import { requestIsHttps } from "~/server/http/proxy";

export const dynamic = "force-dynamic";
const Body = z.object({ email: z.string().trim().toLowerCase().max(320).email("must be an email address"), password: z.string().min(1, "is required").max(1024) });

const DEVICE_COOKIE = "burnrate_device";
const PER_EMAIL = 5;
const PER_DEVICE = 5;
const PER_CLIENT = 30;
const PER_UNKNOWN_CLIENTS = 60;
const fallbackKey = ((globalThis as unknown as { burnrateDeviceKey?: string }).burnrateDeviceKey ??= randomBytes(32).toString("hex"));

function deviceMac(deviceId: string, email: string): string {
  return createHmac("sha256", env().BURNRATE_SECRET_KEY ?? fallbackKey).update(`burnrate:device:${deviceId}:${email}`).digest("base64url");
}

/** The device id when the request carries a valid known-device cookie for this email. */
function knownDevice(req: NextRequest, email: string): string | null {
  const [id, mac] = (req.cookies.get(DEVICE_COOKIE)?.value ?? "").split(".");
  if (!id || !mac || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
  const want = Buffer.from(deviceMac(id, email));
  const got = Buffer.from(mac);
  return want.length === got.length && timingSafeEqual(want, got) ? id : null;
}

export const POST = withApi(
  async (req) => {
    if (env().BURNRATE_PASSWORD_LOGIN === "off") throw new ApiError("forbidden", `password sign-in is disabled here; sign in with ${env().BURNRATE_OIDC_DISPLAY_NAME}`);
    // A login form on another site must not sign the browser in (login CSRF).
    if (req.headers.get("origin") || req.headers.get("referer")) assertSameOrigin(req);
    const { email, password } = Body.parse(await readJson(req));
    const device = knownDevice(req, email);
    const ip = clientIp(req);
    const ipKey = ["login-fail-ip", ip, ip === "unknown" ? PER_UNKNOWN_CLIENTS : PER_CLIENT] as const;
    const accountKey = device ? ([`login-fail-device:${email}:${device}`, PER_DEVICE] as const) : ([`login-fail-email:${email}`, PER_EMAIL] as const);
    checkLimit(accountKey[0], accountKey[1]);
    if (!device) checkLimit(`${ipKey[0]}:${ipKey[1]}`, ipKey[2]);
    const user = await db().user.findUnique({ where: { email } });
    // Same message and similar work whether or not the user exists.
    const ok = verifyPassword(password, user?.passwordHash ?? "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (!user || !ok) {
      countFailure(accountKey[0], accountKey[1]);
      if (!device) countFailure(`${ipKey[0]}:${ipKey[1]}`, ipKey[2]);
      throw new ApiError("unauthorized", "wrong email or password");
    }
    if (user.disabled) throw new ApiError("forbidden", "this account is disabled; ask an administrator");
    const res = NextResponse.json({ email: user.email, name: user.name });
    const id = device ?? randomBytes(18).toString("base64url");
    res.cookies.set(DEVICE_COOKIE, `${id}.${deviceMac(id, email)}`, { httpOnly: true, sameSite: "lax", secure: requestIsHttps(req), path: "/api/auth/login", maxAge: 365 * 24 * 3600 });
    await startSession(req, res, user.id, Date.now());
    return res;
  },
  { auth: "public" },
);
