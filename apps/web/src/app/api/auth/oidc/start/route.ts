// GET /api/auth/oidc/start?next=/path – redirects the browser to the identity provider
import { NextResponse, type NextRequest } from "next/server";
import { clientIp, rateLimit } from "~/server/auth";
import { ApiError } from "~/server/http/errors";
import { withApi } from "~/server/http/api";
import { OIDC_COOKIE, loginFailed } from "~/server/oidc-http";
import { OidcError, authorizationRedirect, oidcSettings } from "~/server/oidc";
import { publicOrigin, safeNext, secureCookies } from "~/server/sessions";

export const dynamic = "force-dynamic";
export const GET = withApi(
  async (req: NextRequest) => {
    const s = oidcSettings();
    if (!s) throw new ApiError("not_found", "single sign-on is not configured (set BURNRATE_OIDC_ISSUER and BURNRATE_OIDC_CLIENT_ID)");
    rateLimit(`oidc-ip:${clientIp(req)}`, 30);
    try {
      const origin = publicOrigin(req);
      const { url, login } = await authorizationRedirect(s, `${origin}/api/auth/oidc/callback`, safeNext(req.nextUrl.searchParams.get("next")));
      const res = NextResponse.redirect(url, 302);
      res.cookies.set(OIDC_COOKIE, JSON.stringify(login), { httpOnly: true, sameSite: "lax", secure: secureCookies(req), path: "/api/auth/oidc", maxAge: 600 });
      return res;
    } catch (e) {
      if (e instanceof OidcError) return loginFailed(req, e.message);
      throw e;
    }
  },
  { auth: "public" },
);
