// GET /api/metrics – Prometheus exposition of DORA counters/histograms derived from the database
import { EXPOSITION_CONTENT_TYPE } from "@burnrate/integrations";
import { NextResponse } from "next/server";
import { toErrorResponse } from "~/server/http/errors";
import { metricsExposition } from "~/server/services/delivery";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return new NextResponse(await metricsExposition(Date.now()), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
  } catch (err) {
    return toErrorResponse(err);
  }
}
