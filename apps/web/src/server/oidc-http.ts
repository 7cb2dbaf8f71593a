import "server-only";
import { z } from "zod";
import { NextResponse, type NextRequest } from "next/server";
import type { LoginState } from "./oidc";
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

/** Back to the login page with the reason shown; the half-finished round trip is forgotten. */
export function loginFailed(req: NextRequest, message: string): NextResponse {
  const url = new URL("/login", publicOrigin(req));
  url.searchParams.set("error", message.slice(0, 500));
  const res = NextResponse.redirect(url, 303);
  res.cookies.set(OIDC_COOKIE, "", { path: "/api/auth/oidc", maxAge: 0 });
  return res;
}
