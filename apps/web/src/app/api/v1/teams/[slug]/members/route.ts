// GET /api/v1/teams/:slug/members – who has which role on a team
import { withApi } from "~/server/http/api";
import { teamMembers } from "~/server/services/users";

export const dynamic = "force-dynamic";
export const GET = withApi<{ slug: string }>(async (_req, p) => teamMembers(p.slug));
