// GET /api/v1/reports/budget?period=current|YYYY-MM[&team=][&format=csv] – error-budget report per team/service
import { NextResponse } from "next/server";
import { withApi } from "~/server/http/api";
import { budgetReport, toCsv } from "~/server/services/reports";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  const r = await budgetReport({ period: q.get("period") ?? "current", team: q.get("team") || undefined, now: Date.now() });
  if (q.get("format") === "csv") {
    return new NextResponse(toCsv(r.rows), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="error-budget-${r.period.label.replace(/\W+/g, "-")}.csv"` } });
  }
  return r;
});
