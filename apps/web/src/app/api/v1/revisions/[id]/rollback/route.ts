// POST /api/v1/revisions/:id/rollback – push that revision's artifacts again
import { withApi } from "~/server/http/api";
import { rollbackRevision } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const POST = withApi<{ id: string }>(async (req, p, me) => rollbackRevision(p.id, me));
