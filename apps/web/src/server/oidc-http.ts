import "server-only";
import { z } from "zod";
import { NextResponse, type NextRequest } from "next/server";
import { clientIp, rateLimit } from "./auth";
import { ApiError } from "./http/errors";
import { withApi } from "./http/api";
import { OidcError, oidcSettings, type LoginState, type OidcSettings } from "./oidc";
import { publicOrigin } from "./sessions";

/** Short-lived, httpOnly cookie that binds the IdP round trip to this browser (state, nonce, PKCE verifier). */
export const OIDC_COOKIE = "burnrate_oidc";
const LoginStateSchema = z.object({ state: z.string().min(16).max(200), nonce: z.string().min(16).max(200), verifier: z.string().min(43).max(128), next: z.string().max(2048) });

export function readLoginState(req: NextRequest): LoginState | null {
  const raw = req.cookies.get(OIDC_COOKIE)?.value;
  if (!raw) return null;
  try {
    const r = LoginStateSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Carries a failed sign-in's reason to the login page (a cookie, not the URL, so links cannot spoof it). */
export const LOGIN_ERROR_COOKIE = "burnrate_login_error";

/** Back to the login page with the reason shown; the half-finished round trip is forgotten. */
export function loginFailed(req: NextRequest, message: string): NextResponse {
  const url = new URL("/login", publicOrigin(req));
  url.searchParams.set("sso", "failed");
  const res = NextResponse.redirect(url, 303);
  res.cookies.set(OIDC_COOKIE, "", { path: "/api/auth/oidc", maxAge: 0 });
  // Next encodes cookie values on the way out and decodes them on the way in.
  res.cookies.set(LOGIN_ERROR_COOKIE, message.slice(0, 500), { httpOnly: true, sameSite: "lax", path: "/api/auth", maxAge: 120 });
  return res;
}

/** The reason of the last failed sign-in in this browser, if any; `forget` clears it on the response. */
export function readLoginError(req: NextRequest): { message: string | null; forget: (res: NextResponse) => void } {
  const raw = req.cookies.get(LOGIN_ERROR_COOKIE)?.value;
  const message = raw ? raw.slice(0, 500) : null;
  return { message, forget: (res) => void (raw ? res.cookies.set(LOGIN_ERROR_COOKIE, "", { path: "/api/auth", maxAge: 0 }) : undefined) };
}

/**
 * A step of the sign-in round trip (start, callback): public, 404 when SSO is not configured, rate
 * limited per client, and any OidcError sends the browser back to the login page with its reason.
 */
export function oidcRoute(step: (req: NextRequest, s: OidcSettings) => Promise<NextResponse>) {
  return withApi(
    async (req: NextRequest) => {
      const s = oidcSettings();
      if (!s) throw new ApiError("not_found", "single sign-on is not configured (set BURNRATE_OIDC_ISSUER and BURNRATE_OIDC_CLIENT_ID)");
      rateLimit(`oidc-ip:${clientIp(req)}`, 30);
      try {
        return await step(req, s);
      } catch (e) {
        if (e instanceof OidcError) return loginFailed(req, e.message);
        throw e;
      }
    },
    { auth: "public" },
  );
}
