// GET /api/auth/providers – which sign-in methods the login page offers (public)
import { env } from "~/lib/env";
import { withApi } from "~/server/http/api";
import { oidcSettings } from "~/server/oidc";

export const dynamic = "force-dynamic";
export const GET = withApi(
  async () => {
    const s = oidcSettings();
    return { password: env().BURNRATE_PASSWORD_LOGIN !== "off", oidc: s ? { name: s.displayName, start: "/api/auth/oidc/start", rolesFromGroups: s.mapping.length > 0 } : null };
  },
  { auth: "public" },
);
