// POST /api/v1/sync – "Sync now": reconcile every enabled target
import { withApi } from "~/server/http/api";
import { runReconcile } from "~/server/reconciler";
import { listTargets, requireEditorSomewhere } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const POST = withApi(async (req, _p, me) => {
  requireEditorSomewhere(me, "syncing targets");
  await runReconcile(me.name);
  return { items: await listTargets(me) };
});
