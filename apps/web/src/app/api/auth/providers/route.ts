// GET /api/auth/providers – which sign-in methods the login page offers, and why the last SSO
// sign-in in this browser failed (public)
import { NextResponse, type NextRequest } from "next/server";
import { env } from "~/lib/env";
import { withApi } from "~/server/http/api";
import { readLoginError } from "~/server/oidc-http";
import { oidcSettings } from "~/server/oidc";

export const dynamic = "force-dynamic";
export const GET = withApi(
  async (req: NextRequest) => {
    const s = oidcSettings();
    const error = readLoginError(req);
    const res = NextResponse.json(
      { password: env().BURNRATE_PASSWORD_LOGIN !== "off", oidc: s ? { name: s.displayName, start: "/api/auth/oidc/start", rolesFromGroups: s.mapping.length > 0 } : null, error: error.message },
      { headers: { "cache-control": "no-store" } },
    );
    error.forget(res); // shown once
    return res;
  },
  { auth: "public" },
);
