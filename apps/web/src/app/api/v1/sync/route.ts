// POST /api/v1/sync – "Sync now": reconcile every enabled target
import { actorFrom } from "~/server/http/actor";
import { withApi } from "~/server/http/api";
import { runReconcile } from "~/server/reconciler";
import { listTargets } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const POST = withApi(async (req) => {
  await runReconcile(actorFrom(req).name);
  return { items: await listTargets() };
});
