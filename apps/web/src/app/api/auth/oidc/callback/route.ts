// GET /api/auth/oidc/callback?code&state – the identity provider sends the browser back here
import { NextResponse, type NextRequest } from "next/server";
import { clientIp, rateLimit } from "~/server/auth";
import { ApiError } from "~/server/http/errors";
import { withApi } from "~/server/http/api";
import { OIDC_COOKIE, loginFailed, readLoginState } from "~/server/oidc-http";
import { OidcError, completeLogin, oidcSettings, upsertSsoUser } from "~/server/oidc";
import { publicOrigin, safeNext, startSession } from "~/server/sessions";

export const dynamic = "force-dynamic";
export const GET = withApi(
  async (req: NextRequest) => {
    const s = oidcSettings();
    if (!s) throw new ApiError("not_found", "single sign-on is not configured");
    rateLimit(`oidc-ip:${clientIp(req)}`, 30);
    const login = readLoginState(req);
    if (!login) return loginFailed(req, "the sign-in took too long or was started in another browser; try again");
    const origin = publicOrigin(req);
    // The URL the IdP redirected to, as registered (the request URL may be an internal address behind a proxy).
    const callbackUrl = new URL(`${origin}/api/auth/oidc/callback${req.nextUrl.search}`);
    try {
      const identity = await completeLogin(s, callbackUrl, login);
      const { userId } = await upsertSsoUser(s, identity);
      const res = NextResponse.redirect(new URL(safeNext(login.next), origin), 303);
      res.cookies.set(OIDC_COOKIE, "", { path: "/api/auth/oidc", maxAge: 0 });
      await startSession(req, res, userId);
      return res;
    } catch (e) {
      if (e instanceof OidcError) return loginFailed(req, e.message);
      throw e;
    }
  },
  { auth: "public" },
);
