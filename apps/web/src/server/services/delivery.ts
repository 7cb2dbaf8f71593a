import "server-only";
import {
  DeploymentInputSchema,
  IncidentInputSchema,
  classifyDora,
  computeDora,
  deploysThatBurnedBudget,
  doraFiguresFromMetrics,
  doraFiguresFromPromql,
  doraPromql,
  doraScope,
  doraWindow,
  type DoraFigures,
  type DoraPromqlQueries,
  type DeploymentInput,
  type DoraBandSetId,
} from "@burnrate/domain";
import { doraSeriesAt, parseAlertmanagerWebhook, parseSampleValue, renderExposition } from "@burnrate/integrations";
import { loadDoraRows } from "@burnrate/db";
import { requireTeamRole, type Principal } from "../auth";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { prometheus } from "./live";

/**
 * Deployments and incidents (the DORA event store). Postgres is the source of truth; the
 * exporter at /api/metrics derives cumulative counters and histograms from these rows on every
 * scrape, so they survive restarts, and PromQL over them equals the figures computed here.
 */

const INCIDENT_LINK_WINDOW_MS = 24 * 3600 * 1000;

async function serviceBySlug(slug: string, field = "service") {
  const s = await db().service.findUnique({ where: { slug }, include: { team: true } });
  if (!s) throw new ApiError("validation_failed", `${field}: service "${slug}" does not exist`, { [field]: `service "${slug}" does not exist` });
  return s;
}

export async function recordDeployment(raw: unknown, actor: Principal, source = "api") {
  const input: DeploymentInput = DeploymentInputSchema.parse(raw);
  const svc = await serviceBySlug(input.service);
  requireTeamRole(actor, svc.team.slug, "editor", "recording a deployment");
  const data = {
    serviceId: svc.id,
    environment: input.environment,
    version: input.version ?? "",
    sha: input.sha,
    result: input.result,
    kind: input.kind,
    startedAt: input.startedAt ? new Date(input.startedAt) : null,
    finishedAt: new Date(input.finishedAt),
    commits: input.commits,
    source,
  };
  // Deduplicated per service and source: the same external id sent for another service (another
  // team's, say) is another deployment and never touches this one. Rows stored before this keyed
  // on source only; such a row is reused only when it already belongs to this service.
  let row;
  if (input.externalId) {
    const key = `${source}:${svc.id}:${input.externalId}`;
    const legacy = await db().deployment.findUnique({ where: { externalId: `${source}:${input.externalId}` } });
    row =
      legacy && legacy.serviceId === svc.id
        ? await db().deployment.update({ where: { id: legacy.id }, data: { ...data, externalId: key } })
        : await db().deployment.upsert({ where: { externalId: key }, update: data, create: { ...data, externalId: key } });
  } else row = await db().deployment.create({ data });
  if (input.causedIncidentIds?.length) {
    await db().incident.updateMany({ where: { id: { in: input.causedIncidentIds }, serviceId: svc.id }, data: { causedByDeploymentId: row.id } });
  }
  await db().auditEvent.create({ data: { actor: actor.name, action: "deployment.record", entityType: "deployment", entityId: row.id, entitySlug: `${svc.slug}@${row.version || row.sha.slice(0, 7)}`, after: { ...input, source } } });
  return deploymentOut({ ...row, service: svc });
}

/** `<source>:<service id>:<id>` (or `<source>:<id>` for older rows) as callers know it: `<source>:<id>`. */
function displayExternalId(stored: string | null, source: string): string | null {
  if (!stored) return null;
  const m = /^([^:]+):(c[a-z0-9]{20,32}):(.*)$/s.exec(stored);
  return m && m[1] === source ? `${source}:${m[3]}` : stored;
}

type DeploymentRow = { id: string; environment: string; version: string; sha: string; result: string; kind: string; startedAt: Date | null; finishedAt: Date; commits: unknown; source: string; externalId: string | null; service: { slug: string; name?: string } };
export function deploymentOut(d: DeploymentRow) {
  return { id: d.id, service: d.service.slug, environment: d.environment, version: d.version, sha: d.sha, result: d.result, kind: d.kind, startedAt: d.startedAt, finishedAt: d.finishedAt, commits: d.commits, source: d.source, externalId: displayExternalId(d.externalId, d.source) };
}

export async function listDeployments(filter: { service?: string; take?: number }) {
  const rows = await db().deployment.findMany({ where: filter.service ? { service: { slug: filter.service } } : {}, include: { service: true }, orderBy: { finishedAt: "desc" }, take: Math.min(filter.take ?? 100, 500) });
  return rows.map(deploymentOut);
}

/** Links an incident to the last successful deployment of its service in the 24h before it opened. */
async function likelyCause(serviceId: string, openedAt: Date): Promise<string | null> {
  const d = await db().deployment.findFirst({
    where: { serviceId, environment: "production", finishedAt: { lte: openedAt, gte: new Date(openedAt.getTime() - INCIDENT_LINK_WINDOW_MS) } },
    orderBy: { finishedAt: "desc" },
  });
  return d?.id ?? null;
}

export async function createIncident(raw: unknown, actor: Principal) {
  const input = IncidentInputSchema.parse(raw);
  const svc = await serviceBySlug(input.service);
  requireTeamRole(actor, svc.team.slug, "editor", "opening an incident");
  const openedAt = new Date(input.openedAt);
  const causedBy = input.causedByDeploymentId ?? (await likelyCause(svc.id, openedAt));
  const row = await db().incident.create({
    data: { serviceId: svc.id, title: input.title, severity: input.severity, source: input.source ?? "manual", fingerprint: input.fingerprint ?? null, openedAt, resolvedAt: input.resolvedAt ? new Date(input.resolvedAt) : null, causedByDeploymentId: causedBy },
  });
  await db().auditEvent.create({ data: { actor: actor.name, action: "incident.create", entityType: "incident", entityId: row.id, entitySlug: svc.slug, after: input } });
  return row;
}

export async function resolveIncident(id: string, at: Date, actor: Principal) {
  const cur = await db().incident.findUnique({ where: { id }, include: { service: { include: { team: true } } } });
  if (!cur) throw new ApiError("not_found", `incident "${id}" not found`);
  requireTeamRole(actor, cur.service.team.slug, "editor", "resolving an incident");
  if (at < cur.openedAt) throw new ApiError("validation_failed", "resolvedAt: must not be before openedAt", { resolvedAt: "must not be before openedAt" });
  const row = await db().incident.update({ where: { id }, data: { resolvedAt: at } });
  await db().auditEvent.create({ data: { actor: actor.name, action: "incident.resolve", entityType: "incident", entityId: id, before: { resolvedAt: cur.resolvedAt }, after: { resolvedAt: at } } });
  return row;
}

export async function listIncidents(filter: { service?: string; open?: boolean }) {
  const rows = await db().incident.findMany({
    where: { ...(filter.service ? { service: { slug: filter.service } } : {}), ...(filter.open ? { resolvedAt: null } : {}) },
    include: { service: true, causedByDeployment: true },
    orderBy: { openedAt: "desc" },
    take: 200,
  });
  return rows.map((i) => ({ id: i.id, service: i.service.slug, title: i.title, severity: i.severity, source: i.source, fingerprint: i.fingerprint, sloSlug: i.sloSlug, openedAt: i.openedAt, resolvedAt: i.resolvedAt, causedBy: i.causedByDeployment ? { id: i.causedByDeployment.id, version: i.causedByDeployment.version, sha: i.causedByDeployment.sha } : null }));
}

/**
 * Alertmanager webhook: SLO page alerts open incidents (deduplicated by fingerprint) and their
 * resolution closes them. Unknown services are skipped and reported, never a 500.
 */
export async function ingestAlertmanager(body: unknown) {
  const parsed = parseAlertmanagerWebhook(body);
  if (parsed.status === "error") throw new ApiError("validation_failed", `${parsed.field}: ${parsed.message}`, { [parsed.field]: parsed.message });
  if (parsed.status === "ignored") return { opened: 0, resolved: 0, skipped: [{ reason: parsed.reason }] };
  let opened = 0;
  let resolved = 0;
  const skipped: { fingerprint?: string; reason: string }[] = [...parsed.value.skipped];
  for (const ev of parsed.value.events) {
    if (ev.action === "open") {
      const svc = await db().service.findUnique({ where: { slug: ev.incident.service } });
      if (!svc) {
        skipped.push({ fingerprint: ev.fingerprint, reason: `unknown service ${ev.incident.service}` });
        continue;
      }
      const existing = await db().incident.findUnique({ where: { fingerprint: ev.fingerprint } });
      if (existing && !existing.resolvedAt) continue;
      const openedAt = new Date(ev.incident.openedAt);
      if (existing) {
        await db().incident.update({ where: { id: existing.id }, data: { resolvedAt: null, openedAt } });
      } else {
        await db().incident.create({
          data: { serviceId: svc.id, title: ev.incident.title, severity: ev.incident.severity, source: "alertmanager", fingerprint: ev.fingerprint, sloSlug: ev.slo, openedAt, causedByDeploymentId: await likelyCause(svc.id, openedAt) },
        });
      }
      opened++;
    } else {
      const r = await db().incident.updateMany({ where: { fingerprint: ev.fingerprint, resolvedAt: null }, data: { resolvedAt: new Date(ev.resolvedAt) } });
      resolved += r.count;
    }
  }
  return { opened, resolved, skipped };
}

/** DB rows in the shape the pure DORA computations and the exporter take. */
export const doraRows = () => loadDoraRows(db());

/** The exposition at `now` (the route handler reads the clock; this function does not). */
export async function metricsExposition(now: number): Promise<string> {
  const rows = await doraRows();
  return renderExposition(doraSeriesAt({ deployments: rows.deployments, incidents: rows.incidents }, now, { teams: rows.teams, services: rows.services }));
}

const WINDOW_DAYS: Record<string, number> = { "7d": 7, "28d": 28, "30d": 30, "90d": 90 };

/**
 * DORA view at `now` (read by the route handler): figures from the database and, when Prometheus
 * scrapes /api/metrics, the same figures from PromQL, with the performance band of the chosen
 * benchmark set and the deploys that burned error budget.
 *
 * The window is whole UTC days ending at the last UTC midnight (`doraWindow`), so deploy days are
 * UTC days, trend weeks are whole and PromQL evaluated at the window end equals the database.
 * Figures are `Figure`s: a ratio or duration without data is `{ value: null, reason }` on both
 * paths (PromQL's NaN and the database's null are the same no data). The scope is the catalogue's:
 * PromQL reads only the scope's current services, so a deleted service's history in Prometheus
 * does not outlive its rows in the database.
 */
export async function doraReport(opts: { window: string; team?: string; service?: string; bands: string; now: number }) {
  const days = WINDOW_DAYS[opts.window];
  if (!days) throw new ApiError("validation_failed", `window: must be one of ${Object.keys(WINDOW_DAYS).join(", ")}`, { window: "unsupported window" });
  const set = (["2024", "2023", "2021"].includes(opts.bands) ? opts.bands : "2024") as DoraBandSetId;
  const rows = await doraRows();
  const { from, to } = doraWindow(opts.now, days);
  const scopeOf = { service: opts.service, team: opts.service ? undefined : opts.team };
  const report = computeDora(rows.deployments, rows.incidents, { from, to, teams: rows.teams });
  const metrics = doraScope(report, scopeOf);
  const figures: DoraFigures = doraFiguresFromMetrics(metrics);
  const hasData = metrics.deployments.total > 0 || metrics.incidents.opened > 0 || metrics.incidents.resolved > 0;
  const classification = hasData ? classifyDora(metrics, set) : null;
  const trend = [] as { weekStart: number; deployments: number; successful: number; failures: number; perDay: number }[];
  for (let w = 0; w < Math.ceil(days / 7); w++) {
    const wTo = to - w * 7 * 86400_000;
    const wFrom = Math.max(from, wTo - 7 * 86400_000);
    const m = doraScope(computeDora(rows.deployments, rows.incidents, { from: wFrom, to: wTo, teams: rows.teams }), scopeOf);
    trend.unshift({ weekStart: wFrom, deployments: m.deployments.total, successful: m.deployments.successful, failures: m.deployments.failed, perDay: m.deploymentFrequency.perDay });
  }
  const services = rows.services.filter((s) => (scopeOf.service === undefined || s.service === scopeOf.service) && (scopeOf.team === undefined || s.team === scopeOf.team)).map((s) => s.service);
  let promql: { ok: boolean; error: string | null; at: string; values: Partial<Record<keyof DoraPromqlQueries, number | null>>; figures: DoraFigures | null } = { ok: false, error: "Prometheus is not configured", at: new Date(to).toISOString(), values: {}, figures: null };
  let burned: ReturnType<typeof deploysThatBurnedBudget> = [];
  const client = prometheus();
  if (client) {
    const queries = doraPromql({ window: opts.window, service: scopeOf.service, team: scopeOf.team, services });
    try {
      const entries = await Promise.all(
        Object.entries(queries).map(async ([k, q]) => {
          const r = await client.query(q, to / 1000);
          // An empty result is kept as null (a count of zero, or no data); NaN/±Inf are decided by doraFiguresFromPromql.
          const v = r.data.resultType === "vector" && r.data.result[0]?.value ? parseSampleValue(r.data.result[0].value[1]) : null;
          return [k, v !== null && Number.isFinite(v) ? v : v === null ? null : Number.NaN] as const;
        }),
      );
      const values = Object.fromEntries(entries) as Record<keyof DoraPromqlQueries, number | null>;
      promql = { ok: true, error: null, at: promql.at, values: Object.fromEntries(entries.map(([k, v]) => [k, v !== null && Number.isFinite(v) ? v : null])), figures: doraFiguresFromPromql(values) };
      const budget = await client.queryRange("slo:error_budget_remaining:ratio", Math.floor(from / 1000), Math.floor(to / 1000), Math.max(300, Math.ceil((to - from) / 1000 / 2000 / 60) * 60));
      if (budget.data.resultType === "matrix") {
        const series = budget.data.result.map((s) => ({ slo: s.metric.slo ?? "", service: s.metric.service ?? "", samples: (s.values ?? []).map(([t, v]) => ({ t: t * 1000, value: parseSampleValue(v) })) }));
        burned = deploysThatBurnedBudget(rows.deployments.filter((d) => services.includes(d.service)), series as Parameters<typeof deploysThatBurnedBudget>[1]).slice(0, 20);
      }
    } catch (err) {
      promql = { ...promql, ok: false, error: (err as Error).message };
    }
  }
  const byService = Object.fromEntries(Object.entries(report.byService).filter(([s]) => services.includes(s)).map(([s, m]) => [s, { ...m, figures: doraFiguresFromMetrics(m) }]));
  return {
    window: report.window,
    scope: scopeOf.service ? { service: scopeOf.service } : scopeOf.team ? { team: scopeOf.team } : {},
    metrics,
    figures,
    classification,
    bandSet: set,
    byService,
    byTeam: report.byTeam,
    trend,
    promql,
    budgetBurns: burned,
  };
}
