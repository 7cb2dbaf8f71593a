// POST /api/auth/login {email, password} – starts a session (httpOnly cookie). Rate limited per IP and email.
import { verifyPassword } from "@burnrate/db";
import { NextResponse } from "next/server";
import { z } from "zod";
import { env } from "~/lib/env";
import { clientIp, rateLimit } from "~/server/auth";
import { startSession } from "~/server/sessions";
import { db } from "~/server/db";
import { ApiError } from "~/server/http/errors";
import { readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
const Body = z.object({ email: z.string().trim().toLowerCase().max(320).email("must be an email address"), password: z.string().min(1, "is required").max(1024) });

export const POST = withApi(
  async (req) => {
    if (env().BURNRATE_PASSWORD_LOGIN === "off") throw new ApiError("forbidden", `password sign-in is disabled here; sign in with ${env().BURNRATE_OIDC_DISPLAY_NAME}`);
    const { email, password } = Body.parse(await readJson(req));
    rateLimit(`login-ip:${clientIp(req)}`, 30);
    rateLimit(`login-email:${email}`, 5);
    const user = await db().user.findUnique({ where: { email } });
    // Same message and similar work whether or not the user exists.
    const ok = verifyPassword(password, user?.passwordHash ?? "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (!user || !ok) throw new ApiError("unauthorized", "wrong email or password");
    if (user.disabled) throw new ApiError("forbidden", "this account is disabled; ask an administrator");
    const res = NextResponse.json({ email: user.email, name: user.name });
    await startSession(req, res, user.id, Date.now());
    return res;
  },
  { auth: "public" },
);
