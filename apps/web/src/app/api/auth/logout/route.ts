// POST /api/auth/logout – ends the session
import { sha256 } from "@burnrate/db";
import { NextResponse } from "next/server";
import { SESSION_COOKIE, assertSameOrigin } from "~/server/auth";
import { db } from "~/server/db";
import { withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
export const POST = withApi(
  async (req) => {
    // Another site must not sign users out (a cross-site form post carries an Origin).
    if (req.headers.get("origin") || req.headers.get("referer")) assertSameOrigin(req);
    const sid = req.cookies.get(SESSION_COOKIE)?.value;
    if (sid) await db().session.deleteMany({ where: { id: sha256(sid) } });
    const res = NextResponse.json({ ok: true });
    res.cookies.set(SESSION_COOKIE, "", { httpOnly: true, sameSite: "lax", path: "/", maxAge: 0 });
    return res;
  },
  { auth: "public" },
);
