// GET /api/v1/slis – list slis; POST /api/v1/slis – create one
import { listSlis, createSli } from "~/server/services/catalog";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";

export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  return { items: await listSlis({ service: q.get("service") ?? undefined }) };
});

export const POST = withApi(async (req, _p, me) => created(await createSli(await readJson(req), me)));
