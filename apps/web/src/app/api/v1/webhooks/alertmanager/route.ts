// POST /api/v1/webhooks/alertmanager – Alertmanager webhook receiver: SLO pages open/resolve incidents.
// Public (Alertmanager has no user); rate limited; when BURNRATE_WEBHOOK_TOKEN is set it must be
// sent as `Authorization: Bearer <token>` (Alertmanager: http_config.authorization.credentials).
import { safeEqual } from "@burnrate/integrations";
import { env } from "~/lib/env";
import { clientIp, rateLimit } from "~/server/auth";
import { ApiError } from "~/server/http/errors";
import { readJson, withApi } from "~/server/http/api";
import { ingestAlertmanager } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
export const POST = withApi(
  async (req) => {
    rateLimit(`am-webhook:${clientIp(req)}`, 600);
    const want = env().BURNRATE_WEBHOOK_TOKEN;
    if (want && !safeEqual(req.headers.get("authorization") ?? "", `Bearer ${want}`)) throw new ApiError("unauthorized", "missing or wrong webhook token");
    return ingestAlertmanager(await readJson(req));
  },
  { auth: "public" },
);
