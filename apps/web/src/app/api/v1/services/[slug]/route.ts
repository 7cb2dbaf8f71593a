// GET/PUT/DELETE /api/v1/services/:slug – read, update (send the version you read) or delete one
import { getService, updateService, deleteService } from "~/server/services/catalog";
import { noContent, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
type P = { slug: string };

export const GET = withApi<P>(async (_req, p) => getService(p.slug));
export const PUT = withApi<P>(async (req, p, me) => updateService(p.slug, await readJson(req), me));
export const PATCH = PUT;
export const DELETE = withApi<P>(async (req, p, me) => {
  await deleteService(p.slug, me);
  return noContent();
});
