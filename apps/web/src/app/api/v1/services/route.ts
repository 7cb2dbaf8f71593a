// GET /api/v1/services – list services; POST /api/v1/services – create one
import { listServices, createService } from "~/server/services/catalog";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";

export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  return { items: await listServices({ team: q.get("team") ?? undefined }) };
});

export const POST = withApi(async (req, _p, me) => created(await createService(await readJson(req), me)));
