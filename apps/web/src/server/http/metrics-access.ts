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
  if (e.BURNRATE_METRICS_TOKEN && safeEqual(req.headers.get("authorization") ?? "", `Bearer ${e.BURNRATE_METRICS_TOKEN}`)) return;
  if (e.BURNRATE_METRICS_ALLOW) {
    const ip = clientIp(req);
    const cidrs = e.BURNRATE_METRICS_ALLOW.split(",").map((s) => s.trim()).filter(Boolean);
    if (ip && cidrs.some((c) => ipInCidr(ip, c))) return;
  }
  if (!authEnabled()) return;
  // A signed-in user or an API token (a wrong scrape token is not a malformed API token).
  const auth = req.headers.get("authorization") ?? "";
  const me = auth && !/^Bearer\s+br_/.test(auth) ? null : await resolvePrincipal(req, Date.now()).catch(() => null);
  if (!me) throw new ApiError("unauthorized", "metrics need Authorization: Bearer <BURNRATE_METRICS_TOKEN>, an address in BURNRATE_METRICS_ALLOW, or a signed-in caller");
}
