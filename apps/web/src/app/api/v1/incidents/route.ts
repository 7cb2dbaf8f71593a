// GET /api/v1/incidents[?service=&open=1] – incidents; POST – open a manual incident
import { created, readJson, withApi } from "~/server/http/api";
import { createIncident, listIncidents } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  return { items: await listIncidents({ service: q.get("service") ?? undefined, open: q.get("open") === "1" }) };
});
export const POST = withApi(async (req, _p, me) => created(await createIncident(await readJson(req), me)));
