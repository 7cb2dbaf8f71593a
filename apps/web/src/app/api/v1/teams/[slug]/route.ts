// GET/PUT/DELETE /api/v1/teams/:slug – read, update (send the version you read) or delete one
import { getTeam, updateTeam, deleteTeam } from "~/server/services/catalog";
import { noContent, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
type P = { slug: string };

export const GET = withApi<P>(async (_req, p) => getTeam(p.slug));
export const PUT = withApi<P>(async (req, p, me) => updateTeam(p.slug, await readJson(req), me));
export const PATCH = PUT;
export const DELETE = withApi<P>(async (req, p, me) => {
  await deleteTeam(p.slug, me);
  return noContent();
});
