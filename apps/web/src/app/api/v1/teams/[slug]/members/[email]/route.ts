// PUT /api/v1/teams/:slug/members/:email {role} – set a user's role on the team (team admins);
// DELETE – remove them from the team
import { readJson, withApi } from "~/server/http/api";
import { setTeamMember } from "~/server/services/users";

export const dynamic = "force-dynamic";
type P = { slug: string; email: string };
export const PUT = withApi<P>(async (req, p, me) => setTeamMember(p.slug, decodeURIComponent(p.email), await readJson(req), me));
export const DELETE = withApi<P>(async (_req, p, me) => setTeamMember(p.slug, decodeURIComponent(p.email), { role: null }, me));
