// GET /api/v1/metrics/check?name=<metric> – does the metric have series in Prometheus? With the closest
// known names when it does not (the SLI form's "no series found" hint).
import { ApiError } from "~/server/http/errors";
import { withApi } from "~/server/http/api";
import { checkMetric } from "~/server/services/metric-check";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const name = req.nextUrl.searchParams.get("name");
  if (!name) throw new ApiError("bad_request", "name: query parameter is required, e.g. ?name=http_requests_total", { name: "is required" });
  return checkMetric(name);
});
