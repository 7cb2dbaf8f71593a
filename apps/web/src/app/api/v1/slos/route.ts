// GET /api/v1/slos – list slos; POST /api/v1/slos – create one
import { listSlos, createSlo } from "~/server/services/catalog";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";

export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  return { items: await listSlos({ team: q.get("team") ?? undefined, service: q.get("service") ?? undefined }) };
});

export const POST = withApi(async (req, _p, me) => created(await createSlo(await readJson(req), me)));
