// GET /api/v1/revisions[?target=<id>][&status=held] – push history, newest first
import { z } from "zod";
import { withApi } from "~/server/http/api";
import { listRevisions } from "~/server/services/targets";

export const dynamic = "force-dynamic";
const Query = z.object({ target: z.string().min(1).optional(), status: z.enum(["pending", "applied", "failed", "rolled_back", "superseded", "held"]).optional() });

export const GET = withApi(async (req, _p, me) => {
  const q = Query.parse(Object.fromEntries(req.nextUrl.searchParams));
  return { items: await listRevisions(q, me) };
});
