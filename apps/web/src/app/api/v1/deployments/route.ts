// GET /api/v1/deployments[?service=] – recent deployments; POST – record one (generic JSON for any CI)
import { created, readJson, withApi } from "~/server/http/api";
import { listDeployments, recordDeployment } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => ({ items: await listDeployments({ service: req.nextUrl.searchParams.get("service") ?? undefined }) }));
export const POST = withApi(async (req, _p, me) => created(await recordDeployment(await readJson(req), me, "api")));
