// GET /api/v1/integrations – webhook integrations; POST – create one (the secret is returned once)
import { created, readJson, withApi } from "~/server/http/api";
import { createIntegration, listIntegrations } from "~/server/services/integrations";

export const dynamic = "force-dynamic";
export const GET = withApi(async () => ({ items: await listIntegrations() }));
export const POST = withApi(async (req, _p, me) => created(await createIntegration(await readJson(req), me)));
