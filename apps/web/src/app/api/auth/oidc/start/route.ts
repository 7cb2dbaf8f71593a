// GET /api/auth/oidc/start?next=/path – redirects the browser to the identity provider
import { NextResponse } from "next/server";
import { OIDC_COOKIE, oidcRoute } from "~/server/oidc-http";
import { authorizationRedirect } from "~/server/oidc";
import { publicOrigin, safeNext, secureCookies } from "~/server/sessions";

export const dynamic = "force-dynamic";
export const GET = oidcRoute(async (req, s) => {
  const { url, login } = await authorizationRedirect(s, `${publicOrigin(req)}/api/auth/oidc/callback`, safeNext(req.nextUrl.searchParams.get("next")));
  const res = NextResponse.redirect(url, 302);
  res.cookies.set(OIDC_COOKIE, JSON.stringify(login), { httpOnly: true, sameSite: "lax", secure: secureCookies(req), path: "/api/auth/oidc", maxAge: 600 });
  return res;
});
