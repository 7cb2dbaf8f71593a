// POST /api/v1/incidents/:id/resolve – resolve now (or at body.resolvedAt)
import { z } from "zod";
import { readJson, withApi } from "~/server/http/api";
import { resolveIncident } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
const Body = z.object({ resolvedAt: z.iso.datetime({ offset: true, message: "must be an ISO timestamp" }).optional() });
export const POST = withApi<{ id: string }>(async (req, p, me) => {
  const body = Body.parse(req.headers.get("content-length") === "0" || !req.headers.get("content-type") ? {} : await readJson(req));
  return resolveIncident(p.id, body.resolvedAt ? new Date(body.resolvedAt) : new Date(), me);
});
