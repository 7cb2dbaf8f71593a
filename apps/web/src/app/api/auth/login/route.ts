// POST /api/auth/login {email, password} – starts a session (httpOnly cookie). Rate limited per IP and email.
import { randomBytes } from "node:crypto";
import { sha256, verifyPassword } from "@burnrate/db";
import { NextResponse } from "next/server";
import { z } from "zod";
import { SESSION_COOKIE, SESSION_TTL_MS, clientIp, rateLimit } from "~/server/auth";
import { db } from "~/server/db";
import { ApiError } from "~/server/http/errors";
import { readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
const Body = z.object({ email: z.string().trim().toLowerCase().max(320).email("must be an email address"), password: z.string().min(1, "is required").max(1024) });

export const POST = withApi(
  async (req) => {
    const { email, password } = Body.parse(await readJson(req));
    rateLimit(`login-ip:${clientIp(req)}`, 30);
    rateLimit(`login-email:${email}`, 5);
    const user = await db().user.findUnique({ where: { email } });
    // Same message and similar work whether or not the user exists.
    const ok = verifyPassword(password, user?.passwordHash ?? "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (!user || !ok) throw new ApiError("unauthorized", "wrong email or password");
    const sid = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await db().session.create({ data: { id: sha256(sid), userId: user.id, expiresAt } });
    await db().session.deleteMany({ where: { userId: user.id, expiresAt: { lt: new Date() } } });
    const res = NextResponse.json({ email: user.email, name: user.name });
    res.cookies.set(SESSION_COOKIE, sid, { httpOnly: true, sameSite: "lax", secure: req.nextUrl.protocol === "https:", path: "/", expires: expiresAt });
    return res;
  },
  { auth: "public" },
);
