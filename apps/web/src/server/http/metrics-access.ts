import "server-only";
import { ipInCidr } from "@burnrate/domain";
import { safeEqual } from "@burnrate/integrations";
import type { NextRequest } from "next/server";
import { env } from "~/lib/env";
import { authEnabled, resolvePrincipal } from "../auth";
import { ApiError } from "./errors";
import { clientIp } from "./proxy";

/**
 * Who may scrape Burnrate's metrics endpoints (they reveal services, teams and delivery figures):
 * with BURNRATE_METRICS_TOKEN, a caller sending `Authorization: Bearer <token>` (Prometheus:
 * `authorization.credentials_file`); with BURNRATE_METRICS_ALLOW, clients whose address (as the
 * trusted proxies report it) is in those CIDRs; otherwise any signed-in user or API token.
 */
export async function assertMetricsAccess(req: NextRequest): Promise<void> {
  const e = env();
  const sent = req.headers.get("authorization") ?? "";
  if (e.BURNRATE_METRICS_TOKEN) {
    if (safeEqual(sent, `Bearer ${e.BURNRATE_METRICS_TOKEN}`)) return;
    if (!e.BURNRATE_METRICS_ALLOW) throw new ApiError("unauthorized", "metrics need Authorization: Bearer <BURNRATE_METRICS_TOKEN>");
  }
  if (e.BURNRATE_METRICS_ALLOW) {
    const ip = clientIp(req);
    const cidrs = e.BURNRATE_METRICS_ALLOW.split(",").map((s) => s.trim()).filter(Boolean);
    if (ip && cidrs.some((c) => ipInCidr(ip, c))) return;
    throw new ApiError("forbidden", "metrics are not available from this address (BURNRATE_METRICS_ALLOW; the address comes from trusted proxies, BURNRATE_TRUST_PROXY)");
  }
  if (!authEnabled()) return;
  const me = await resolvePrincipal(req);
  if (!me) throw new ApiError("unauthorized", "metrics need a signed-in user, an API token, or Authorization: Bearer <BURNRATE_METRICS_TOKEN>");
}
