// GET /api/auth/oidc/callback?code&state – the identity provider sends the browser back here
import { NextResponse } from "next/server";
import { OIDC_COOKIE, loginFailed, oidcRoute, readLoginState } from "~/server/oidc-http";
import { completeLogin, upsertSsoUser } from "~/server/oidc";
import { publicOrigin, safeNext, startSession } from "~/server/sessions";

export const dynamic = "force-dynamic";
export const GET = oidcRoute(async (req, s) => {
  const login = readLoginState(req);
  if (!login) return loginFailed(req, "the sign-in took too long or was started in another browser; try again");
  const origin = publicOrigin(req);
  // The URL the IdP redirected to, as registered (the request URL may be an internal address behind a proxy).
  const callbackUrl = new URL(`${origin}/api/auth/oidc/callback${req.nextUrl.search}`);
  const identity = await completeLogin(s, callbackUrl, login);
  const { userId } = await upsertSsoUser(s, identity);
  const res = NextResponse.redirect(new URL(safeNext(login.next), origin), 303);
  res.cookies.set(OIDC_COOKIE, "", { path: "/api/auth/oidc", maxAge: 0 });
  await startSession(req, res, userId, Date.now());
  return res;
});
