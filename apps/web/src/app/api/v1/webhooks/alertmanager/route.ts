// POST /api/v1/webhooks/alertmanager – Alertmanager webhook receiver: SLO pages open/resolve incidents
import { readJson, withApi } from "~/server/http/api";
import { ingestAlertmanager } from "~/server/services/delivery";

export const dynamic = "force-dynamic";
export const POST = withApi(async (req) => ingestAlertmanager(await readJson(req)));
