// GET /api/metrics/burnrate – Burnrate's own metrics (pushes, quarantined SLOs, reconcile passes,
// API latency) for the Prometheus that watches it; the meta-alert rules in burnrate-meta.yml read them.
// Restricted like /api/metrics: BURNRATE_METRICS_TOKEN, BURNRATE_METRICS_ALLOW or a signed-in caller.
import { NextResponse, type NextRequest } from "next/server";
import { toErrorResponse } from "~/server/http/errors";
import { assertMetricsAccess } from "~/server/http/metrics-access";
import { metrics } from "~/server/metrics";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  try {
    await assertMetricsAccess(req);
    const r = metrics().registry;
    return new NextResponse(await r.metrics(), { headers: { "content-type": r.contentType } });
  } catch (err) {
    return toErrorResponse(err);
  }
}
