// POST /api/v1/targets/:id/confirm {revisionId} – an administrator applies a push held by the mass-deletion guard
import { readJson, withApi } from "~/server/http/api";
import { confirmHeld } from "~/server/services/targets";

export const dynamic = "force-dynamic";
export const POST = withApi<{ id: string }>(async (req, p, me) => confirmHeld(p.id, await readJson(req), me));
