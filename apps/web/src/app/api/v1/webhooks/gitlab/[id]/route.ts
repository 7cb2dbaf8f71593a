// POST /api/v1/webhooks/gitlab/:integrationId – GitLab deployment events (X-Gitlab-Token or webhook-signature). Public, signature-checked, rate limited.
import type { NextRequest } from "next/server";
import { clientIp, rateLimit } from "~/server/auth";
import { ApiError } from "~/server/http/errors";
import { withApi } from "~/server/http/api";
import { gitlabWebhook } from "~/server/services/integrations";

export const dynamic = "force-dynamic";
export const POST = withApi<{ id: string }>(
  async (req: NextRequest, p) => {
    rateLimit(`webhook:gitlab:${p.id}:${clientIp(req)}`, 120);
    const raw = await req.text();
    if (raw.length > 1_000_000) throw new ApiError("bad_request", "payload larger than 1 MB");
    return gitlabWebhook(p.id, raw, req.headers, Date.now());
  },
  { auth: "public" },
);
