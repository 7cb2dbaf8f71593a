// GET /api/v1/targets – list push targets (tokens are never returned); POST – create one
import { created, readJson, withApi } from "~/server/http/api";
import { createTarget, listTargets } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const GET = withApi(async (_req, _p, me) => ({ items: await listTargets(me) }));
export const POST = withApi(async (req, _p, me) => created(await createTarget(await readJson(req), me)));
