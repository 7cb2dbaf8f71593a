// GET /api/v1/dora?window=28d[&team=|&service=][&bands=2024|2023|2021] – DORA figures (DB and PromQL), bands, trend
import { withApi } from "~/server/http/api";
import { doraReport } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  return doraReport({ window: q.get("window") ?? "28d", team: q.get("team") || undefined, service: q.get("service") || undefined, bands: q.get("bands") ?? "2024", now: Date.now() });
});
