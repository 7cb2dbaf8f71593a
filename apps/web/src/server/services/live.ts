import "server-only";
import { POLICY_SEVERITY, evaluatePolicy, sliQueries, windowSeconds, type PolicyAction, type SloWindow } from "@burnrate/domain";
import { AlertmanagerClient, PrometheusClient, isUpstreamError, parseSampleValue, type QueryData } from "@burnrate/integrations";
import { env } from "~/lib/env";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { listSlos, sloOut } from "./catalog";
import { sloInclude } from "./catalog";

/**
 * Live views read Prometheus through the shared recording-rule names (docs/contracts.md), so the
 * on-call board costs a fixed number of PromQL queries however many SLOs exist.
 */

export type PromState = { configured: boolean; ok: boolean; url: string | null; error: string | null };

export function prometheus(): PrometheusClient | null {
  const url = env().PROMETHEUS_URL;
  return url ? new PrometheusClient({ baseUrl: url, timeoutMs: 5000 }) : null;
}

/**
 * Circuit breaker for the live views: after Prometheus fails, requests within the next few seconds
 * get the same error at once instead of each waiting for a timeout, so a hung Prometheus does not
 * pile up requests. The first request after the window probes again.
 */
const breaker = ((globalThis as unknown as { burnrateBreaker?: { until: number; error: string } }).burnrateBreaker ??= { until: 0, error: "" });
const BREAKER_MS = 5000;

function promError(err: unknown, url: string): string {
  if (isUpstreamError(err)) return err.message;
  return `Prometheus unreachable at ${url}: ${(err as Error).message}`;
}

type Vector = { metric: Record<string, string>; value: number }[];
function vector(d: QueryData): Vector {
  if (d.resultType !== "vector") return [];
  return d.result.flatMap((r) => (r.value ? [{ metric: r.metric, value: parseSampleValue(r.value[1]) }] : []));
}

export type BoardRow = ReturnType<typeof sloOut> & {
  burnRates: Record<string, number>;
  budgetRemaining: number | null;
  eventsInPeriod: number | null;
  alerts: { alertname: string; severity: string; state: string; burnTier?: string; inhibited?: boolean; silenced?: boolean }[];
  policyState: { state: PolicyAction | "ok"; reason: string };
  urgency: number;
};

/** Board queries; the count is constant (it does not depend on the number of SLOs). */
export const BOARD_QUERIES = {
  burn: "slo:burn_rate",
  budget: "slo:error_budget_remaining:ratio",
  events: "slo:sli_total:period",
  alerts: 'ALERTS{alertname=~"SLO.*"}',
} as const;

export async function onCallBoard(filter: { team?: string; service?: string; severity?: string } = {}) {
  const slos = await listSlos({ team: filter.team, service: filter.service });
  const policies = new Map((await db().errorBudgetPolicy.findMany()).map((p) => [p.slug, p.steps as Parameters<typeof evaluatePolicy>[0]]));
  const client = prometheus();
  const url = env().PROMETHEUS_URL ?? null;
  const prom: PromState = { configured: Boolean(client), ok: false, url, error: client ? null : "Prometheus is not configured: set PROMETHEUS_URL (npm run demo starts a local one when Prometheus is installed)" };
  let burn: Vector = [];
  let budget: Vector = [];
  let events: Vector = [];
  let alerts: Vector = [];
  let queryCount = 0;
  if (client && url && Date.now() < breaker.until) {
    prom.error = breaker.error;
  } else if (client && url) {
    try {
      const results = await Promise.all(Object.values(BOARD_QUERIES).map((q) => client.query(q)));
      queryCount = results.length;
      [burn, budget, events, alerts] = results.map((r) => vector(r.data)) as [Vector, Vector, Vector, Vector];
      prom.ok = true;
    } catch (err) {
      prom.error = promError(err, url);
      breaker.until = Date.now() + BREAKER_MS;
      breaker.error = prom.error;
    }
  }
  // Alertmanager tells whether firing alerts are inhibited or silenced (one request).
  const amState = new Map<string, { inhibited: boolean; silenced: boolean }>();
  const amUrl = env().ALERTMANAGER_URL;
  let alertmanager: { ok: boolean; error: string | null } = { ok: false, error: amUrl ? null : "not configured" };
  if (amUrl && prom.ok) {
    try {
      const am = await new AlertmanagerClient({ baseUrl: amUrl, timeoutMs: 5000 }).alerts({ filter: ['alertname=~"SLO.*"'] });
      for (const a of am) {
        const k = `${a.labels.slo ?? ""}|${a.labels.alertname ?? ""}|${a.labels.burn_tier ?? ""}|${a.labels.severity ?? ""}`;
        amState.set(k, { inhibited: (a.status.inhibitedBy ?? []).length > 0, silenced: (a.status.silencedBy ?? []).length > 0 });
      }
      alertmanager = { ok: true, error: null };
    } catch (err) {
      alertmanager = { ok: false, error: (err as Error).message };
    }
  }
  const bySlo = <T,>(v: Vector, f: (m: Vector[number]) => T) => {
    const m = new Map<string, T[]>();
    for (const s of v) {
      const k = s.metric.slo ?? "";
      m.set(k, [...(m.get(k) ?? []), f(s)]);
    }
    return m;
  };
  const burnBy = bySlo(burn, (s) => [s.metric.slo_window ?? "", s.value] as const);
  const budgetBy = bySlo(budget, (s) => s.value);
  const eventsBy = bySlo(events, (s) => s.value);
  const alertsBy = bySlo(alerts, (s) => {
    const base = { alertname: s.metric.alertname ?? "", severity: s.metric.severity ?? "", state: s.metric.alertstate ?? "", burnTier: s.metric.burn_tier };
    const am = amState.get(`${s.metric.slo ?? ""}|${base.alertname}|${base.burnTier ?? ""}|${base.severity}`);
    return { ...base, inhibited: am?.inhibited, silenced: am?.silenced };
  });

  const rows: BoardRow[] = slos.map((s) => {
    const burnRates = Object.fromEntries((burnBy.get(s.slug) ?? []).filter(([, v]) => Number.isFinite(v)));
    const budgetRemaining = budgetBy.get(s.slug)?.[0] ?? null;
    const rowAlerts = (alertsBy.get(s.slug) ?? []).sort((a, b) => (a.state === b.state ? a.severity.localeCompare(b.severity) : a.state === "firing" ? -1 : 1));
    const steps = s.policy ? policies.get(s.policy) : undefined;
    const policyState = prom.ok && steps ? evaluatePolicy(steps, { burnRates, budgetRemaining: budgetRemaining !== null && Number.isFinite(budgetRemaining) ? budgetRemaining : null }) : { state: "ok" as const, reason: prom.ok ? "no policy" : "no data" };
    const firingPage = rowAlerts.some((a) => a.state === "firing" && a.severity === "page");
    const firingTicket = rowAlerts.some((a) => a.state === "firing" && a.severity === "ticket");
    const pending = rowAlerts.some((a) => a.state === "pending");
    const maxBurn = Math.max(0, ...Object.values(burnRates));
    const urgency = (firingPage ? 1e9 : 0) + (firingTicket ? 1e8 : 0) + (pending ? 1e7 : 0) + POLICY_SEVERITY[policyState.state] * 1e6 + Math.min(maxBurn, 1e5) * 10 + (budgetRemaining !== null && budgetRemaining < 1 ? (1 - Math.max(-1, budgetRemaining)) : 0);
    return { ...s, burnRates, budgetRemaining, eventsInPeriod: eventsBy.get(s.slug)?.[0] ?? null, alerts: rowAlerts, policyState, urgency };
  });
  const filtered = filter.severity ? rows.filter((r) => r.alerts.some((a) => a.severity === filter.severity && a.state === "firing")) : rows;
  filtered.sort((a, b) => b.urgency - a.urgency || a.name.localeCompare(b.name));
  if (prom.ok) recordPolicyStatesInBackground(rows);
  const notDeployed = await notDeployedSlos();
  const items = filtered.map((r) => ({ ...r, notDeployed: notDeployed.get(r.slug) ?? null }));
  return { prometheus: prom, alertmanager, queryCount, generatedAt: new Date().toISOString(), items };
}

const policyWriter = ((globalThis as unknown as { burnratePolicyWriter?: { running: boolean } }).burnratePolicyWriter ??= { running: false });

/**
 * Policy-state history is written off the request path by one writer at a time: concurrent board
 * requests must not race on the same state change (or hold up the response).
 */
function recordPolicyStatesInBackground(rows: BoardRow[]): void {
  if (policyWriter.running) return;
  policyWriter.running = true;
  recordPolicyStates(rows)
    .catch((err: unknown) => console.error("[board] could not record policy states", err))
    .finally(() => {
      policyWriter.running = false;
    });
}

/** Keeps a history of policy states: a row per state change, closed when the state changes. */
async function recordPolicyStates(rows: BoardRow[]): Promise<void> {
  const open = await db().policyState.findMany({ where: { until: null } });
  const current = new Map(open.map((o) => [o.sloId, o]));
  const now = new Date();
  for (const r of rows) {
    if (!r.policy) continue;
    const cur = current.get(r.id);
    if (cur?.state === r.policyState.state) continue;
    await db().$transaction([
      ...(cur ? [db().policyState.update({ where: { id: cur.id }, data: { until: now } })] : []),
      db().policyState.create({ data: { sloId: r.id, state: r.policyState.state, reason: r.policyState.reason, since: now } }),
    ]);
  }
}

/** Deploy gate: blocked while any SLO of the service is in a feature freeze. */
export async function deployGate(service: string) {
  const svc = await db().service.findUnique({ where: { slug: service } });
  if (!svc) throw new ApiError("validation_failed", `service: service "${service}" does not exist`, { service: `service "${service}" does not exist` });
  const board = await onCallBoard({ service });
  const freezes = board.items.filter((r) => r.policyState.state === "feature_freeze");
  const blocked = freezes.length > 0;
  return {
    service,
    allowed: !blocked,
    decision: blocked ? "blocked" : "allowed",
    reasons: freezes.map((r) => `${r.slug}: feature freeze (${r.policyState.reason})`),
    degraded: !board.prometheus.ok,
    warning: board.prometheus.ok ? null : `policy state unknown: ${board.prometheus.error ?? "Prometheus unavailable"}; failing open`,
    slos: board.items.map((r) => ({ slo: r.slug, state: r.policyState.state, reason: r.policyState.reason, budgetRemaining: r.budgetRemaining })),
  };
}

/** Step for a range so that query_range stays under Prometheus' 11,000-point limit and charts stay light. */
function stepFor(rangeSeconds: number, points = 720): number {
  return Math.max(60, Math.ceil(rangeSeconds / points / 60) * 60);
}

function durationLabel(seconds: number): string {
  return seconds % 86400 === 0 ? `${seconds / 86400}d` : seconds % 3600 === 0 ? `${seconds / 3600}h` : `${Math.round(seconds / 60)}m`;
}

/** Start of the current calendar month (UTC) for calendar-month SLOs. */
function periodStart(window: string, now: number): number {
  if (window === "calendar-month") {
    const d = new Date(now * 1000);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
  }
  return now - windowSeconds(window as SloWindow);
}

/**
 * SLO detail: SLI over the period, burn rate per window (last 24h), budget burndown with projected
 * exhaustion, alert history, deployments as annotations and Explore links.
 */
export async function sloDetail(slug: string) {
  const row = await db().slo.findUnique({ where: { slug }, include: sloInclude });
  if (!row) throw new ApiError("not_found", `SLO "${slug}" not found`);
  const slo = sloOut(row);
  const client = prometheus();
  const url = env().PROMETHEUS_URL ?? null;
  const now = Math.floor(Date.now() / 1000);
  const start = periodStart(slo.window, now);
  const range = now - start;
  const step = stepFor(range);
  const budget = 1 - slo.objective / 100;
  const deployments = await db().deployment.findMany({ where: { service: { slug: slo.service }, finishedAt: { gte: new Date(start * 1000) } }, orderBy: { finishedAt: "asc" } });
  const incidents = await db().incident.findMany({ where: { service: { slug: slo.service }, OR: [{ resolvedAt: null }, { resolvedAt: { gte: new Date(start * 1000) } }] }, orderBy: { openedAt: "desc" } });
  const grafana = env().GRAFANA_URL;
  const links = {
    grafana: grafana ? `${grafana}/d/slo-svc-${slo.service}` : null,
    logs: grafana ? `${grafana}/explore?left=${encodeURIComponent(JSON.stringify({ datasource: "loki", queries: [{ refId: "A", expr: `{service="${slo.service}"} | json` }], range: { from: "now-1h", to: "now" } }))}` : null,
    traces: grafana ? `${grafana}/explore?left=${encodeURIComponent(JSON.stringify({ datasource: "tempo", queries: [{ refId: "A", queryType: "traceql", query: `{resource.service.name="${slo.service}"}` }], range: { from: "now-1h", to: "now" } }))}` : null,
    prometheus: url ? `${url}/graph?g0.expr=${encodeURIComponent(`slo:burn_rate{slo="${slug}"}`)}` : null,
  };
  const base = {
    slo, period: { start: start * 1000, end: now * 1000, step, label: slo.window }, links,
    deployments: deployments.map((d) => ({ id: d.id, at: d.finishedAt.getTime(), version: d.version, sha: d.sha, result: d.result, kind: d.kind })),
    incidents: incidents.map((i) => ({ id: i.id, title: i.title, severity: i.severity, openedAt: i.openedAt.getTime(), resolvedAt: i.resolvedAt?.getTime() ?? null })),
  };
  if (!client || !url) return { ...base, prometheus: { configured: false, ok: false, url, error: "Prometheus is not configured: set PROMETHEUS_URL" } satisfies PromState, live: null };
  try {
    const q = sliQueries(row.sli.spec as Parameters<typeof sliQueries>[0], durationLabel(step));
    const [errs, totals, burnNow, burnRange, alertsRange] = await Promise.all([
      client.queryRange(q.errors, start + step, now, step),
      client.queryRange(q.total, start + step, now, step),
      client.query(`slo:burn_rate{slo="${slug}"}`),
      client.queryRange(`slo:burn_rate{slo="${slug}"}`, now - 86400, now, 300),
      client.queryRange(`max_over_time(ALERTS{slo="${slug}",alertstate="firing"}[${durationLabel(stepFor(range, 2000))}])`, start, now, stepFor(range, 2000)),
    ]);
    const series = (d: QueryData) => (d.resultType === "matrix" ? d.result : []);
    const toMap = (d: QueryData) => new Map((series(d)[0]?.values ?? []).map(([t, v]) => [Math.round(t), parseSampleValue(v)]));
    const errMap = toMap(errs.data);
    const totMap = toMap(totals.data);
    // Budget burndown: the period's budget is budget × all events of the period; it is consumed by
    // the bad events counted from the period start (per-step rate × step), so the curve starts at
    // 100% and ends at 1 - (period error ratio / budget), the value a direct PromQL query gives.
    const steps: { t: number; e: number | undefined; n: number | undefined }[] = [];
    let totalEvents = 0;
    for (let t = start + step; t <= now; t += step) {
      const e = errMap.get(t);
      const n = totMap.get(t);
      steps.push({ t, e, n });
      if (e !== undefined && n !== undefined && Number.isFinite(e) && Number.isFinite(n)) totalEvents += n * step;
    }
    let cumErr = 0;
    const points: { t: number; errorRatio: number | null; budgetRemaining: number | null }[] = steps.map(({ t, e, n }) => {
      if (e !== undefined && n !== undefined && Number.isFinite(e) && Number.isFinite(n)) cumErr += e * step;
      return { t: t * 1000, errorRatio: e !== undefined && n ? e / n : null, budgetRemaining: totalEvents > 0 ? 1 - cumErr / (budget * totalEvents) : null };
    });
    const burnRates = Object.fromEntries(vector(burnNow.data).map((v) => [v.metric.slo_window ?? "", v.value]));
    const burnSeries: Record<string, { t: number; v: number }[]> = {};
    for (const s of series(burnRange.data)) burnSeries[s.metric.slo_window ?? ""] = (s.values ?? []).map(([t, v]) => ({ t: t * 1000, v: parseSampleValue(v) }));
    const alertHistory = series(alertsRange.data).map((s) => {
      const ts = (s.values ?? []).map(([t]) => t * 1000);
      return { alertname: s.metric.alertname ?? "", severity: s.metric.severity ?? "", burnTier: s.metric.burn_tier ?? "", from: ts[0] ?? null, to: ts[ts.length - 1] ?? null, samples: ts.length };
    });
    const remaining = [...points].reverse().find((p) => p.budgetRemaining !== null)?.budgetRemaining ?? null;
    // Projected exhaustion at the current 1d (or nearest) burn rate: remaining budget / burn × period.
    const longBurn = burnRates["1d"] ?? burnRates["6h"] ?? burnRates["1h"] ?? null;
    const exhaustion = remaining !== null && remaining > 0 && longBurn !== null && longBurn > 0 ? now * 1000 + (remaining / longBurn) * windowSeconds(slo.window as SloWindow) * 1000 : null;
    return {
      ...base,
      prometheus: { configured: true, ok: true, url, error: null } satisfies PromState,
      live: { points, burnRates, burnSeries, alertHistory, budgetRemaining: remaining, exhausted: remaining !== null && remaining <= 0, projectedExhaustion: exhaustion, queries: { errors: q.errors, total: q.total } },
    };
  } catch (err) {
    return { ...base, prometheus: { configured: true, ok: false, url, error: promError(err, url) } satisfies PromState, live: null };
  }
}

/** SLOs quarantined on a rule target (their last good rules stay live): the board says since when and why. */
async function notDeployedSlos(): Promise<Map<string, { target: string; since: string; reason: string }>> {
  const out = new Map<string, { target: string; since: string; reason: string }>();
  const targets = await db().pushTarget.findMany({ where: { enabled: true, kind: { in: ["prometheus", "mimir"] } }, select: { name: true, quarantine: true }, orderBy: { name: "asc" } });
  for (const t of targets) {
    for (const q of Array.isArray(t.quarantine) ? (t.quarantine as Array<{ slo: string; since: string; stage: string; reason: string }>) : []) {
      if (!out.has(q.slo)) out.set(q.slo, { target: t.name, since: q.since, reason: q.stage === "generate" ? `refused by validation: ${q.reason}` : `refused by the target at ${q.stage}: ${q.reason.split("\n")[0] ?? ""}` });
    }
  }
  return out;
}
