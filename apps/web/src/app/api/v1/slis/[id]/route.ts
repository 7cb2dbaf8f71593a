// GET/PUT/DELETE /api/v1/slis/:id – read, update (send the version you read) or delete one
import { getSli, updateSli, deleteSli } from "~/server/services/catalog";
import { noContent, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
type P = { id: string };

export const GET = withApi<P>(async (_req, p) => getSli(p.id));
export const PUT = withApi<P>(async (req, p, me) => updateSli(p.id, await readJson(req), me));
export const PATCH = PUT;
export const DELETE = withApi<P>(async (req, p, me) => {
  await deleteSli(p.id, me);
  return noContent();
});
