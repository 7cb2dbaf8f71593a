// PUT/DELETE /api/v1/receivers/:slug – update (empty secret fields keep the stored secret) or delete
import { noContent, readJson, withApi } from "~/server/http/api";
import { deleteReceiver, updateReceiver } from "~/server/services/receivers";

export const dynamic = "force-dynamic";
type P = { slug: string };
export const PUT = withApi<P>(async (req, p, me) => updateReceiver(p.slug, await readJson(req), me));
export const DELETE = withApi<P>(async (_req, p, me) => {
  await deleteReceiver(p.slug, me);
  return noContent();
});
