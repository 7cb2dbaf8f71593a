import { IncidentInputSchema, SlugSchema, type IncidentInput } from "@burnrate/domain";
import { z } from "zod";
import { jsonBody, parseError, toIso, zodFail, type WebhookParse } from "./common";

const LabelMap = z.record(z.string(), z.string());

/** Alertmanager webhook payload, version 4 (`docs/configuration.md`, webhook_config). */
export const AlertmanagerWebhookSchema = z.object({
  version: z.literal("4"),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: LabelMap,
  commonLabels: LabelMap,
  commonAnnotations: LabelMap,
  externalURL: z.string(),
  alerts: z.array(
    z.object({
      status: z.enum(["firing", "resolved"]),
      labels: LabelMap,
      annotations: LabelMap.default({}),
      startsAt: z.string(),
      endsAt: z.string(),
      generatorURL: z.string().optional(),
      fingerprint: z.string().min(1),
    }),
  ),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhookSchema>;

export type AlertIncidentEvent =
  | { action: "open"; fingerprint: string; slo: string; incident: IncidentInput }
  | { action: "resolve"; fingerprint: string; slo: string; service: string; resolvedAt: string };

export interface AlertmanagerParseResult {
  events: AlertIncidentEvent[];
  /** Alerts that produce no event, with the reason (no slo label, severity not paging, duplicate…). */
  skipped: Array<{ fingerprint: string; reason: string }>;
  /** Alertmanager dropped this many alerts from the payload (max_alerts). */
  truncatedAlerts: number;
}

export interface AlertmanagerParseOptions {
  /** Severities that open incidents (default ["page"]). */
  openSeverities?: string[];
}

/**
 * Maps an Alertmanager v4 webhook to incident open/resolve events, one per alert fingerprint
 * (duplicates in one payload are dropped). Only alerts with an `slo` label and a paging severity
 * count; a firing alert opens (idempotent upsert by fingerprint), a resolved one resolves the
 * incident with that fingerprint at `endsAt`. Identity labels follow docs/contracts.md (slo,
 * service, team).
 */
export function parseAlertmanagerWebhook(body: unknown, opts: AlertmanagerParseOptions = {}): WebhookParse<AlertmanagerParseResult> {
  const json = jsonBody(body);
  if (!json.ok) return parseError(json.field, json.message);
  const r = AlertmanagerWebhookSchema.safeParse(json.value);
  if (!r.success) return zodFail(r.error);
  const severities = new Set(opts.openSeverities ?? ["page"]);
  const seen = new Set<string>();
  const out: AlertmanagerParseResult = { events: [], skipped: [], truncatedAlerts: r.data.truncatedAlerts ?? 0 };
  for (const [i, a] of r.data.alerts.entries()) {
    const skip = (reason: string) => out.skipped.push({ fingerprint: a.fingerprint, reason });
    if (seen.has(a.fingerprint)) {
      skip("duplicate fingerprint in payload");
      continue;
    }
    seen.add(a.fingerprint);
    const slo = a.labels.slo;
    if (!slo) {
      skip("no slo label");
      continue;
    }
    if (!severities.has(a.labels.severity ?? "")) {
      skip(`severity ${a.labels.severity ?? "(none)"} does not page`);
      continue;
    }
    const service = a.labels.service;
    if (!service) {
      skip("no service label");
      continue;
    }
    if (a.status === "resolved") {
      const resolvedAt = toIso(a.endsAt);
      if (!resolvedAt) return parseError(`alerts.${i}.endsAt`, "is not a timestamp");
      out.events.push({ action: "resolve", fingerprint: a.fingerprint, slo, service, resolvedAt });
      continue;
    }
    const openedAt = toIso(a.startsAt);
    if (!openedAt) return parseError(`alerts.${i}.startsAt`, "is not a timestamp");
    const team = a.labels.team && SlugSchema.safeParse(a.labels.team).success ? a.labels.team : undefined;
    const title = (a.annotations.summary ?? a.annotations.description ?? `${a.labels.alertname ?? "alert"}: ${slo}`).slice(0, 300);
    const inc = IncidentInputSchema.safeParse({
      service,
      team,
      title: title.trim() || slo,
      severity: "page",
      openedAt,
      fingerprint: a.fingerprint,
      source: "alertmanager",
    });
    if (!inc.success) {
      const e = zodFail(inc.error);
      const field = e.field === "service" ? `alerts.${i}.labels.service` : e.field === "title" ? `alerts.${i}.annotations.summary` : `alerts.${i}.${e.field}`;
      return parseError(field, e.message);
    }
    out.events.push({ action: "open", fingerprint: a.fingerprint, slo, incident: inc.data });
  }
  return { status: "ok", value: out };
}
