// GET /api/v1/slos/:slug/live – SLI over the period, burndown with projected exhaustion, burn rates, alert history
import { withApi } from "~/server/http/api";
import { sloDetail } from "~/server/services/live";

export const dynamic = "force-dynamic";
export const GET = withApi<{ slug: string }>(async (_req, p) => sloDetail(p.slug));
