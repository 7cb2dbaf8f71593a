// GET /api/metrics – Prometheus exposition of DORA counters/histograms derived from the database.
// Restricted: BURNRATE_METRICS_TOKEN, BURNRATE_METRICS_ALLOW or a signed-in caller (metrics-access.ts).
import { EXPOSITION_CONTENT_TYPE } from "@burnrate/integrations";
import { NextResponse, type NextRequest } from "next/server";
import { toErrorResponse } from "~/server/http/errors";
import { assertMetricsAccess } from "~/server/http/metrics-access";
import { metricsExposition } from "~/server/services/delivery";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  try {
    await assertMetricsAccess(req);
    return new NextResponse(await metricsExposition(Date.now()), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
  } catch (err) {
    return toErrorResponse(err);
  }
}
