// GET /api/v1/gate?service=<slug> – deploy gate for CI: 200 {allowed:true} or 423 {allowed:false, reasons}
// while an SLO of the service is in a feature freeze. Fails open (200, degraded) when Prometheus is down.
import { NextResponse } from "next/server";
import { ApiError } from "~/server/http/errors";
import { withApi } from "~/server/http/api";
import { deployGate } from "~/server/services/live";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const service = req.nextUrl.searchParams.get("service");
  if (!service) throw new ApiError("bad_request", "service: query parameter is required, e.g. /api/v1/gate?service=checkout", { service: "is required" });
  const g = await deployGate(service);
  return NextResponse.json(g, { status: g.allowed ? 200 : 423 });
});
