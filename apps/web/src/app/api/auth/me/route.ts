// GET /api/auth/me – the caller, their roles per team, and whether login is enabled
import { authEnabled } from "~/server/auth";
import { withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
export const GET = withApi(async (_req, _p, me) => ({ email: me.email, name: me.displayName, isAdmin: me.isAdmin, roles: me.roles, via: me.via, authEnabled: authEnabled() }));
