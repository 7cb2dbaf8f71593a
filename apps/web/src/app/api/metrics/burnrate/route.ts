// GET /api/metrics/burnrate – Burnrate's own metrics (pushes, quarantined SLOs, reconcile passes,
// API latency) for the Prometheus that watches it; the meta-alert rules in burnrate-meta.yml read them.
// Served beside /api/metrics (DORA series from the database); whatever restricts /api/metrics must cover this route too.
import { NextResponse } from "next/server";
import { toErrorResponse } from "~/server/http/errors";
import { metrics } from "~/server/metrics";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const r = metrics().registry;
    return new NextResponse(await r.metrics(), { headers: { "content-type": r.contentType } });
  } catch (err) {
    return toErrorResponse(err);
  }
}
