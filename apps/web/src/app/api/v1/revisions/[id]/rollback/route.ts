// POST /api/v1/revisions/:id/rollback – push that revision's artifacts again
import { actorFrom } from "~/server/http/actor";
import { withApi } from "~/server/http/api";
import { rollbackRevision } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const POST = withApi<{ id: string }>(async (req, p) => rollbackRevision(p.id, actorFrom(req)));
