import "server-only";
import { AlertReceiverSpecSchema, RECEIVER_SECRET_FIELDS, VersionSchema, type ReceiverSpec } from "@burnrate/domain";
import { requireTeamRole, type Principal } from "../auth";
import { decryptSecret, encryptSecret } from "../crypto";
import { db } from "../db";
import { ApiError, notFound, versionConflict } from "../http/errors";
import { assertReceiverUrlAllowed } from "../outbound";
import { onCatalogChanged } from "./hooks";

/**
 * Alert receivers per team. Secret parts (webhook URLs and authorization credentials, Slack
 * incoming-webhook URLs, PagerDuty routing keys) are encrypted at rest and never returned; the API
 * shows a redacted hint instead. The Alertmanager configuration carries references to them only
 * (see @burnrate/domain alertmanager/secrets); the pusher delivers the values.
 */
const SECRET_FIELDS: Record<ReceiverSpec["kind"], readonly string[]> = RECEIVER_SECRET_FIELDS;

function split(config: ReceiverSpec): { publicPart: Record<string, unknown>; secretPart: Record<string, unknown> } {
  const publicPart: Record<string, unknown> = {};
  const secretPart: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (SECRET_FIELDS[config.kind].includes(k) ? secretPart : publicPart)[k] = v;
  return { publicPart, secretPart };
}

function redact(kind: string, secret: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret)) {
    const s = String(v);
    if (k === "url" || k === "apiUrl") {
      try {
        out[k] = `${new URL(s).origin}/…`;
      } catch {
        out[k] = "(set)";
      }
    } else if (k === "authorization") out[k] = "(set)";
    else out[k] = `…${s.slice(-4)}`;
  }
  return kind ? out : {};
}

/** Alertmanager posts to these URLs from inside the network, so they get the same SSRF policy as push targets. */
async function assertReceiverUrlsAllowed(config: ReceiverSpec): Promise<void> {
  if (config.kind === "webhook") await assertReceiverUrlAllowed(config.url, "config.url");
  if (config.kind === "slack") await assertReceiverUrlAllowed(config.apiUrl, "config.apiUrl");
}

type Row = { id: string; slug: string; name: string; kind: string; severities: string[]; config: unknown; secretCiphertext: string | null; version: number; team: { slug: string; name: string } };
function out(r: Row) {
  const secret = r.secretCiphertext ? (JSON.parse(decryptSecret(r.secretCiphertext)) as Record<string, unknown>) : {};
  return { id: r.id, slug: r.slug, name: r.name, team: r.team.slug, teamName: r.team.name, kind: r.kind, severities: r.severities, config: r.config as Record<string, unknown>, secrets: redact(r.kind, secret), version: r.version };
}

export async function listReceivers(team?: string) {
  const rows = await db().alertReceiver.findMany({ where: team ? { team: { slug: team } } : {}, include: { team: true }, orderBy: [{ team: { slug: "asc" } }, { slug: "asc" }] });
  return rows.map(out);
}

export async function createReceiver(raw: unknown, actor: Principal) {
  const spec = AlertReceiverSpecSchema.parse(raw);
  requireTeamRole(actor, spec.team, "editor", "adding an alert receiver");
  const team = await db().team.findUnique({ where: { slug: spec.team } });
  if (!team) throw new ApiError("validation_failed", `team: team "${spec.team}" does not exist`, { team: "does not exist" });
  await assertReceiverUrlsAllowed(spec.config);
  const { publicPart, secretPart } = split(spec.config);
  const row = await db().alertReceiver.create({
    data: { slug: spec.slug, name: spec.name, teamId: team.id, kind: spec.config.kind, severities: spec.severities, config: publicPart as object, secretCiphertext: Object.keys(secretPart).length ? encryptSecret(JSON.stringify(secretPart)) : null },
    include: { team: true },
  });
  await db().auditEvent.create({ data: { actor: actor.name, action: "receiver.create", entityType: "receiver", entityId: row.id, entitySlug: row.slug, after: { ...spec, config: { ...publicPart, secrets: Object.keys(secretPart) } } } });
  onCatalogChanged("receiver.create");
  return out(row);
}

/** Updates a receiver; secret fields left empty keep their stored value. */
export async function updateReceiver(slug: string, raw: unknown, actor: Principal) {
  const cur = await db().alertReceiver.findUnique({ where: { slug }, include: { team: true } });
  if (!cur) throw notFound(`receiver "${slug}"`);
  requireTeamRole(actor, cur.team.slug, "editor", "editing an alert receiver");
  const body = VersionSchema.passthrough().parse(raw) as { version: number; config?: Record<string, unknown> };
  if (cur.version !== body.version) throw versionConflict(`receiver "${slug}"`, cur.version);
  const stored = cur.secretCiphertext ? (JSON.parse(decryptSecret(cur.secretCiphertext)) as Record<string, unknown>) : {};
  const config = { ...(body.config ?? {}) };
  if (config.kind === cur.kind) for (const k of SECRET_FIELDS[cur.kind as ReceiverSpec["kind"]] ?? []) if (!config[k] && stored[k]) config[k] = stored[k];
  const spec = AlertReceiverSpecSchema.parse({ ...body, config });
  if (spec.team !== cur.team.slug) requireTeamRole(actor, spec.team, "editor", "moving an alert receiver");
  const team = await db().team.findUnique({ where: { slug: spec.team } });
  if (!team) throw new ApiError("validation_failed", `team: team "${spec.team}" does not exist`, { team: "does not exist" });
  await assertReceiverUrlsAllowed(spec.config);
  const { publicPart, secretPart } = split(spec.config);
  const row = await db().alertReceiver.update({
    where: { id: cur.id, version: body.version },
    data: { slug: spec.slug, name: spec.name, teamId: team.id, kind: spec.config.kind, severities: spec.severities, config: publicPart as object, secretCiphertext: Object.keys(secretPart).length ? encryptSecret(JSON.stringify(secretPart)) : null, version: { increment: 1 } },
    include: { team: true },
  });
  await db().auditEvent.create({ data: { actor: actor.name, action: "receiver.update", entityType: "receiver", entityId: row.id, entitySlug: row.slug, before: { config: cur.config }, after: { ...spec, config: { ...publicPart, secrets: Object.keys(secretPart) } } } });
  onCatalogChanged("receiver.update");
  return out(row);
}

export async function deleteReceiver(slug: string, actor: Principal) {
  const cur = await db().alertReceiver.findUnique({ where: { slug }, include: { team: true } });
  if (!cur) throw notFound(`receiver "${slug}"`);
  requireTeamRole(actor, cur.team.slug, "editor", "deleting an alert receiver");
  await db().alertReceiver.delete({ where: { id: cur.id } });
  await db().auditEvent.create({ data: { actor: actor.name, action: "receiver.delete", entityType: "receiver", entityId: cur.id, entitySlug: slug, before: { name: cur.name, kind: cur.kind, config: cur.config } } });
  onCatalogChanged("receiver.delete");
}
