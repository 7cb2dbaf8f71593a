// GET /api/v1/slos/:slug/rules – generated rule file and diff against the live file (preview before push)
import { withApi } from "~/server/http/api";
import { sloRulesPreview } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const GET = withApi<{ slug: string }>(async (_req, p, me) => sloRulesPreview(p.slug, me));
