// GET /api/v1/policies – list policies; POST /api/v1/policies – create one
import { listPolicies, createPolicy } from "~/server/services/catalog";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";

export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  return { items: await listPolicies({ team: q.get("team") ?? undefined }) };
});

export const POST = withApi(async (req, _p, me) => created(await createPolicy(await readJson(req), me)));
