// GET /api/v1/board[?team=&service=&severity=page|ticket] – on-call board: every SLO with burn rates,
// budget, alerts and policy state, most urgent first. Constant number of PromQL queries.
import { withApi } from "~/server/http/api";
import { onCallBoard } from "~/server/services/live";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req, _p, me) => {
  const q = req.nextUrl.searchParams;
  return onCallBoard({ team: q.get("team") || undefined, service: q.get("service") || undefined, severity: q.get("severity") || undefined }, me);
});
