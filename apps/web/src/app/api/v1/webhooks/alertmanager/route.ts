// POST /api/v1/webhooks/alertmanager – Alertmanager webhook receiver: SLO pages open/resolve incidents.
// Public (Alertmanager has no user); rate limited. It always requires `Authorization: Bearer <token>`:
// BURNRATE_WEBHOOK_TOKEN, or a token derived from BURNRATE_SECRET_KEY that Burnrate writes into the
// Alertmanager configuration it pushes (credentials_file). Only application/json bodies are
// accepted, so a cross-site "simple" request (text/plain form post) cannot reach it.
import { safeEqual } from "@burnrate/integrations";
import { clientIp, rateLimit } from "~/server/auth";
import { webhookToken } from "~/server/crypto";
import { ApiError } from "~/server/http/errors";
import { readJson, withApi } from "~/server/http/api";
import { ingestAlertmanager } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
export const POST = withApi(
  async (req) => {
    rateLimit(`am-webhook:${clientIp(req)}`, 600);
    const want = webhookToken();
    if (!want) throw new ApiError("unauthorized", "the Alertmanager webhook is disabled: set BURNRATE_SECRET_KEY or BURNRATE_WEBHOOK_TOKEN");
    // Constant time, whatever the length of what was sent.
    if (!safeEqual(req.headers.get("authorization") ?? "", `Bearer ${want}`)) throw new ApiError("unauthorized", "missing or wrong webhook token (Authorization: Bearer <token>)");
    return ingestAlertmanager(await readJson(req));
  },
  { auth: "public" },
);
