// GET /api/v1/export?format=openslo|sloth|prometheusrule|mimir[&team=] – catalogue as YAML
import { NextResponse } from "next/server";
import { withApi } from "~/server/http/api";
import { exportCatalogue } from "~/server/services/interchange";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  const format = q.get("format") ?? "openslo";
  const yaml = await exportCatalogue(format, q.get("team") || undefined);
  return new NextResponse(yaml, { headers: { "content-type": "application/yaml; charset=utf-8", "content-disposition": `attachment; filename="burnrate-${format}.yaml"` } });
});
