import "server-only";
import type { Db } from "@burnrate/db";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Records who changed what, with before/after snapshots, in the same transaction as the change. */
export async function audit(
  tx: Tx,
  e: { actor: string; action: string; entityType: string; entityId: string; entitySlug?: string; before?: unknown; after?: unknown },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actor: e.actor,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      entitySlug: e.entitySlug ?? "",
      before: e.before === undefined ? undefined : (JSON.parse(JSON.stringify(e.before)) as object),
      after: e.after === undefined ? undefined : (JSON.parse(JSON.stringify(e.after)) as object),
    },
  });
}

export type { Tx };
