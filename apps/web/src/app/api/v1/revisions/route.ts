// GET /api/v1/revisions[?target=<id>] – push history, newest first
import { withApi } from "~/server/http/api";
import { listRevisions } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => ({ items: await listRevisions({ target: req.nextUrl.searchParams.get("target") ?? undefined }) }));
