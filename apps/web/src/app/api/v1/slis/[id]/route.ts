// GET/PUT/DELETE /api/v1/slis/:id – read, update (send the version you read) or delete one
import { getSli, updateSli, deleteSli } from "~/server/services/catalog";
import { actorFrom } from "~/server/http/actor";
import { noContent, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
type P = { id: string };

export const GET = withApi<P>(async (_req, p) => getSli(p.id));
export const PUT = withApi<P>(async (req, p) => updateSli(p.id, await readJson(req), actorFrom(req)));
export const PATCH = PUT;
export const DELETE = withApi<P>(async (req, p) => {
  await deleteSli(p.id, actorFrom(req));
  return noContent();
});
