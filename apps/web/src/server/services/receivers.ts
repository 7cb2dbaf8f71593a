import "server-only";
import { AlertReceiverSpecSchema, RECEIVER_SECRET_FIELDS, VersionSchema, type ReceiverSpec } from "@burnrate/domain";
import { rateLimit, requireTeamRole, type Principal } from "../auth";
import { decryptSecret, encryptSecret } from "../crypto";
import { db } from "../db";
import { ApiError, notFound, versionConflict } from "../http/errors";
import { assertReceiverUrlAllowed, receiverUrlRefusal } from "../outbound";
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

export type TestNotificationResult = { receiver: string; kind: string; result: "delivered" | "failed"; reason: string | null; status: number | null; at: string };

const TEST_TIMEOUT_MS = 10_000;

/**
 * "Send test notification": sends one synthetic alert straight to the receiver's destination with its
 * stored configuration and reports what the destination answered, so a team knows its pager works
 * before it matters. Editors of the receiver's team and administrators only; rate limited per
 * receiver and per user; audited with the result. The alert is labelled burnrate_test="true" and
 * says it is a test; PagerDuty gets a trigger followed by a resolve so no incident stays open.
 */
export async function testReceiver(slug: string, actor: Principal): Promise<TestNotificationResult> {
  const cur = await db().alertReceiver.findUnique({ where: { slug }, include: { team: true } });
  if (!cur) throw notFound(`receiver "${slug}"`);
  requireTeamRole(actor, cur.team.slug, "editor", "sending a test notification");
  rateLimit(`receiver-test:${cur.id}`, 3);
  rateLimit(`receiver-test-user:${actor.name}`, 10);
  const secret = cur.secretCiphertext ? (JSON.parse(decryptSecret(cur.secretCiphertext)) as Record<string, unknown>) : {};
  const config = { ...(cur.config as Record<string, unknown>), ...secret, kind: cur.kind };
  const now = new Date();
  let outcome: { result: "delivered" | "failed"; reason: string | null; status: number | null };
  try {
    outcome = await deliverTest(config, { slug, team: cur.team.slug, name: cur.name, severity: cur.severities[0] ?? "page", at: now, actor: actor.name });
  } catch (err) {
    outcome = { result: "failed", reason: readableFailure(err), status: null };
  }
  await db().auditEvent.create({ data: { actor: actor.name, action: "receiver.test", entityType: "receiver", entityId: cur.id, entitySlug: slug, after: { kind: cur.kind, ...outcome } } });
  return { receiver: slug, kind: cur.kind, ...outcome, at: now.toISOString() };
}

type TestCtx = { slug: string; team: string; name: string; severity: string; at: Date; actor: string };

async function deliverTest(c: Record<string, unknown>, t: TestCtx): Promise<{ result: "delivered" | "failed"; reason: string | null; status: number | null }> {
  const summary = `Test notification from Burnrate for receiver "${t.name}" (team ${t.team}), sent by ${t.actor}. No action needed.`;
  const labels = { alertname: "BurnrateTestNotification", severity: t.severity, team: t.team, receiver: t.slug, burnrate_test: "true" };
  switch (c.kind) {
    case "webhook": {
      // The Alertmanager webhook payload (version 4), so the receiving end parses it as it will a real alert.
      const alert = { status: "firing", labels, annotations: { summary }, startsAt: t.at.toISOString(), endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint: `burnrate-test-${t.slug}` };
      const body = { version: "4", groupKey: `{}/{burnrate_test="true"}:{receiver="${t.slug}"}`, truncatedAlerts: 0, status: "firing", receiver: `${t.team}/${t.slug}`, groupLabels: { receiver: t.slug }, commonLabels: labels, commonAnnotations: { summary }, externalURL: "", alerts: [alert] };
      return post(String(c.url), body, "config.url", typeof c.authorization === "string" && c.authorization ? { authorization: `Bearer ${c.authorization}` } : {});
    }
    case "slack":
      return post(String(c.apiUrl), { channel: String(c.channel ?? ""), text: `:white_check_mark: ${summary}` }, "config.apiUrl");
    case "pagerduty": {
      const url = "https://events.pagerduty.com/v2/enqueue";
      const dedup = `burnrate-test-${t.slug}-${t.at.getTime()}`;
      const trigger = await post(url, { routing_key: String(c.routingKey), event_action: "trigger", dedup_key: dedup, payload: { summary, source: "burnrate", severity: "info", custom_details: labels } }, "PagerDuty");
      if (trigger.result === "delivered") await post(url, { routing_key: String(c.routingKey), event_action: "resolve", dedup_key: dedup }, "PagerDuty").catch(() => undefined);
      return trigger;
    }
    default:
      return { result: "failed", reason: `${String(c.kind)} receivers are delivered by Alertmanager's own settings (SMTP for email); Burnrate cannot send a test for them directly`, status: null };
  }
}

/**
 * POSTs JSON under the receivers' outbound policy (the one Alertmanager's destinations are held
 * to), with the receiver's own credentials, without following redirects, within TEST_TIMEOUT_MS.
 */
async function post(url: string, body: unknown, what: string, headers: Record<string, string> = {}): Promise<{ result: "delivered" | "failed"; reason: string | null; status: number | null }> {
  const refused = await receiverUrlRefusal(url);
  if (refused) return { result: "failed", reason: `${what}: ${refused}`, status: null };
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), redirect: "manual", signal: AbortSignal.timeout(TEST_TIMEOUT_MS) });
  const text = (await res.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ").trim();
  if (res.status >= 200 && res.status < 300) return { result: "delivered", reason: null, status: res.status };
  if (res.status >= 300 && res.status < 400) return { result: "failed", reason: `the destination answered with a redirect (HTTP ${res.status}); receivers do not follow redirects`, status: res.status };
  return { result: "failed", reason: `the destination answered HTTP ${res.status}${text ? `: ${text}` : ""}`, status: res.status };
}

function readableFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${TEST_TIMEOUT_MS / 1000} s`;
  const code = e.cause?.code;
  if (e.cause?.message === "bad port") return "the destination's port is one HTTP clients refuse to contact (a well-known non-HTTP port)";
  if (code === "ECONNREFUSED") return "connection refused by the destination";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the destination's host name does not resolve";
  if (code === "CERT_HAS_EXPIRED" || code?.startsWith("ERR_TLS") || code?.includes("CERT")) return `TLS error (${code})`;
  return e.cause?.message ?? e.message;
}
