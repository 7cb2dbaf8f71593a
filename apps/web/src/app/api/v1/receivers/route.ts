// GET /api/v1/receivers[?team=] – alert receivers (secrets redacted); POST – create one
import { created, readJson, withApi } from "~/server/http/api";
import { createReceiver, listReceivers } from "~/server/services/receivers";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => ({ items: await listReceivers(req.nextUrl.searchParams.get("team") ?? undefined) }));
export const POST = withApi(async (req, _p, me) => created(await createReceiver(await readJson(req), me)));
