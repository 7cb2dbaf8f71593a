// GET/PUT/DELETE /api/v1/targets/:id
import { noContent, readJson, withApi } from "~/server/http/api";
import { deleteTarget, getTarget, updateTarget } from "~/server/services/targets";

export const dynamic = "force-dynamic";
type P = { id: string };
export const GET = withApi<P>(async (_req, p, me) => getTarget(p.id, me));
export const PUT = withApi<P>(async (req, p, me) => updateTarget(p.id, await readJson(req), me));
export const DELETE = withApi<P>(async (req, p, me) => {
  await deleteTarget(p.id, me);
  return noContent();
});
