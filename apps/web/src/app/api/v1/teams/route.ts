// GET /api/v1/teams – list teams; POST /api/v1/teams – create one
import { listTeams, createTeam } from "~/server/services/catalog";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";

export const GET = withApi(async () => ({ items: await listTeams() }));

export const POST = withApi(async (req, _p, me) => created(await createTeam(await readJson(req), me)));
