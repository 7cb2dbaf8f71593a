// GET/PUT/DELETE /api/v1/targets/:id
import { actorFrom } from "~/server/http/actor";
import { noContent, readJson, withApi } from "~/server/http/api";
import { deleteTarget, getTarget, updateTarget } from "~/server/services/targets";

export const dynamic = "force-dynamic";
type P = { id: string };
export const GET = withApi<P>(async (_req, p) => getTarget(p.id));
export const PUT = withApi<P>(async (req, p) => updateTarget(p.id, await readJson(req), actorFrom(req)));
export const DELETE = withApi<P>(async (req, p) => {
  await deleteTarget(p.id, actorFrom(req));
  return noContent();
});
