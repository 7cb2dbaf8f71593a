// POST /api/v1/targets/:id/sync[?force=1] – compare with the target and push on drift (force: always push)
import { withApi } from "~/server/http/api";
import { syncTarget } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const POST = withApi<{ id: string }>(async (req, p, me) => syncTarget(p.id, me, req.nextUrl.searchParams.get("force") === "1"));
