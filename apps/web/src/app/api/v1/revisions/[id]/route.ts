// GET /api/v1/revisions/:id – files and diff against the previous revision of the target
import { withApi } from "~/server/http/api";
import { getRevision } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const GET = withApi<{ id: string }>(async (_req, p, me) => getRevision(p.id, me));
