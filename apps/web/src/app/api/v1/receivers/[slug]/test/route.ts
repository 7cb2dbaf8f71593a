// POST /api/v1/receivers/:slug/test – send a test notification through the receiver's configuration;
// 200 {result: "delivered" | "failed", reason, status}. Team editors and admins; rate limited; audited.
import { withApi } from "~/server/http/api";
import { testReceiver } from "~/server/services/receivers";

export const dynamic = "force-dynamic";
export const POST = withApi<{ slug: string }>(async (_req, p, me) => testReceiver(p.slug, me));
