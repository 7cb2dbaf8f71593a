import "server-only";
import { BOARD_QUERIES, POLICY_SEVERITY, budgetBurndown, evaluatePolicy, notRecordedRanges, periodLabel, periodSeconds, sloDetailQueries, sloFigures, type PolicyAction, type SloFigures, type SloWindow } from "@burnrate/domain";
import { AlertmanagerClient, PrometheusClient, isUpstreamError, parseSampleValue, type QueryData } from "@burnrate/integrations";
import { env } from "~/lib/env";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { ANY_READER, notDeployedReason, type Viewer } from "../http/upstream-text";
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
  /** `figures.budgetRemaining.value` (kept for existing clients). */
  budgetRemaining: number | null;
  eventsInPeriod: number | null;
  /** The SLO's period figures as every view shows them (domain `sloFigures`): coverage, exhaustion, no-data reasons. */
  figures: SloFigures;
  alerts: { alertname: string; severity: string; state: string; burnTier?: string; inhibited?: boolean; silenced?: boolean }[];
  policyState: { state: PolicyAction | "ok"; reason: string };
  urgency: number;
};

/** Board queries (domain `BOARD_QUERIES`); the count is constant (it does not depend on the number of SLOs). */
export { BOARD_QUERIES };

export async function onCallBoard(filter: { team?: string; service?: string; severity?: string } = {}, viewer: Viewer = ANY_READER) {
  const slos = await listSlos({ team: filter.team, service: filter.service });
  const policies = new Map((await db().errorBudgetPolicy.findMany()).map((p) => [p.slug, p.steps as Parameters<typeof evaluatePolicy>[0]]));
  const client = prometheus();
  const url = env().PROMETHEUS_URL ?? null;
  const prom: PromState = { configured: Boolean(client), ok: false, url, error: client ? null : "Prometheus is not configured: set PROMETHEUS_URL (npm run demo starts a local one when Prometheus is installed)" };
  let burn: Vector = [];
  let budget: Vector = [];
  let events: Vector = [];
  let coverage: Vector = [];
  let alerts: Vector = [];
  let queryCount = 0;
  if (client && url && Date.now() < breaker.until) {
    prom.error = breaker.error;
  } else if (client && url) {
    try {
      const results = await Promise.all(Object.values(BOARD_QUERIES).map((q) => client.query(q)));
      queryCount = results.length;
      [burn, budget, events, coverage, alerts] = results.map((r) => vector(r.data)) as [Vector, Vector, Vector, Vector, Vector];
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
  const coverageBy = bySlo(coverage, (s) => s.value);
  const now = Date.now();
  const alertsBy = bySlo(alerts, (s) => {
    const base = { alertname: s.metric.alertname ?? "", severity: s.metric.severity ?? "", state: s.metric.alertstate ?? "", burnTier: s.metric.burn_tier };
    const am = amState.get(`${s.metric.slo ?? ""}|${base.alertname}|${base.burnTier ?? ""}|${base.severity}`);
    return { ...base, inhibited: am?.inhibited, silenced: am?.silenced };
  });

  const rows: BoardRow[] = slos.map((s) => {
    const burnRates = Object.fromEntries((burnBy.get(s.slug) ?? []).filter(([, v]) => Number.isFinite(v)));
    const figures = sloFigures({ now, periodSeconds: periodSeconds({ window: s.window as SloWindow }), objective: s.objective, budgetRemaining: budgetBy.get(s.slug)?.[0], events: eventsBy.get(s.slug)?.[0], coverageSeconds: coverageBy.get(s.slug)?.[0], burnRates });
    const budgetRemaining = figures.budgetRemaining.value;
    const rowAlerts = (alertsBy.get(s.slug) ?? []).sort((a, b) => (a.state === b.state ? a.severity.localeCompare(b.severity) : a.state === "firing" ? -1 : 1));
    const steps = s.policy ? policies.get(s.policy) : undefined;
    // Budget steps of a policy (feature freeze) act only on a period with enough data, like SLOErrorBudgetExhausted.
    const policyState = prom.ok && steps ? evaluatePolicy(steps, { burnRates, budgetRemaining: figures.budgetDecidable ? budgetRemaining : null }) : { state: "ok" as const, reason: prom.ok ? "no policy" : "no data" };
    const firingPage = rowAlerts.some((a) => a.state === "firing" && a.severity === "page");
    const firingTicket = rowAlerts.some((a) => a.state === "firing" && a.severity === "ticket");
    const pending = rowAlerts.some((a) => a.state === "pending");
    const maxBurn = Math.max(0, ...Object.values(burnRates));
    const urgency = (firingPage ? 1e9 : 0) + (firingTicket ? 1e8 : 0) + (pending ? 1e7 : 0) + POLICY_SEVERITY[policyState.state] * 1e6 + Math.min(maxBurn, 1e5) * 10 + (budgetRemaining !== null && budgetRemaining < 1 ? (1 - Math.max(-1, budgetRemaining)) : 0);
    return { ...s, burnRates, budgetRemaining, eventsInPeriod: figures.eventsInPeriod.value, figures, alerts: rowAlerts, policyState, urgency };
  });
  const filtered = filter.severity ? rows.filter((r) => r.alerts.some((a) => a.severity === filter.severity && a.state === "firing")) : rows;
  filtered.sort((a, b) => b.urgency - a.urgency || a.name.localeCompare(b.name));
  if (prom.ok) recordPolicyStatesInBackground(rows);
  const notDeployed = await notDeployedSlos(viewer);
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
  const nowMs = Date.now();
  const now = Math.floor(nowMs / 1000);
  // The period the recorded figures cover (calendar months record a rolling 30 days, like the board).
  const period = periodSeconds({ window: slo.window as SloWindow });
  const qs = sloDetailQueries(slug, period);
  // Burndown on the period rules' time grid, aligned so its samples are the ones the rules sum.
  const step = qs.burndownStep;
  const end = now - (now % step);
  const start = end - period;
  const range = now - start;
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
    slo, period: { start: start * 1000, end: now * 1000, step, label: periodLabel(period) }, links,
    deployments: deployments.map((d) => ({ id: d.id, at: d.finishedAt.getTime(), version: d.version, sha: d.sha, result: d.result, kind: d.kind })),
    incidents: incidents.map((i) => ({ id: i.id, title: i.title, severity: i.severity, openedAt: i.openedAt.getTime(), resolvedAt: i.resolvedAt?.getTime() ?? null })),
  };
  if (!client || !url) return { ...base, prometheus: { configured: false, ok: false, url, error: "Prometheus is not configured: set PROMETHEUS_URL" } satisfies PromState, live: null };
  try {
    const alertStep = stepFor(range, 2000);
    const [errs, totals, burnNow, burnRange, alertsRange, budgetNow, eventsNow, coverageNow, backfilled] = await Promise.all([
      client.queryRange(qs.errorRate, start + step, end, step),
      client.queryRange(qs.totalRate, start + step, end, step),
      client.query(qs.burn),
      client.queryRange(qs.burn, now - 86400, now, 300),
      client.queryRange(qs.firing(alertStep), start, now, alertStep),
      client.query(qs.budget),
      client.query(qs.events),
      client.query(qs.coverage),
      client.queryRange(qs.backfilled(alertStep), start, now, alertStep),
    ]);
    const series = (d: QueryData) => (d.resultType === "matrix" ? d.result : []);
    const toMap = (d: QueryData) => new Map((series(d)[0]?.values ?? []).map(([t, v]) => [Math.round(t), parseSampleValue(v)]));
    const errMap = toMap(errs.data);
    const totMap = toMap(totals.data);
    const samples: { t: number; errors: number | undefined; total: number | undefined }[] = [];
    for (let t = start + step; t <= end; t += step) samples.push({ t, errors: errMap.get(t), total: totMap.get(t) });
    const points = budgetBurndown(samples, step, slo.objective);
    const burnRates = Object.fromEntries(vector(burnNow.data).filter((v) => Number.isFinite(v.value)).map((v) => [v.metric.slo_window ?? "", v.value]));
    const first = (d: QueryData) => vector(d)[0]?.value;
    // The headline figures are the recorded series the board reads: one truth on every page.
    const figures = sloFigures({ now: nowMs, periodSeconds: period, objective: slo.objective, budgetRemaining: first(budgetNow.data), events: first(eventsNow.data), coverageSeconds: first(coverageNow.data), burnRates });
    const burnSeries: Record<string, { t: number; v: number }[]> = {};
    for (const s of series(burnRange.data)) burnSeries[s.metric.slo_window ?? ""] = (s.values ?? []).map(([t, v]) => ({ t: t * 1000, v: parseSampleValue(v) }));
    const alertHistory = series(alertsRange.data).map((s) => {
      const ts = (s.values ?? []).map(([t]) => t * 1000);
      return { alertname: s.metric.alertname ?? "", severity: s.metric.severity ?? "", burnTier: s.metric.burn_tier ?? "", from: ts[0] ?? null, to: ts[ts.length - 1] ?? null, samples: ts.length };
    });
    // Alerting rules cannot be backfilled: over backfilled stretches the alert history is not recorded.
    const alertHistoryNotRecorded = notRecordedRanges((series(backfilled.data)[0]?.values ?? []).map(([t, v]) => [t, parseSampleValue(v)] as const), alertStep);
    const remaining = figures.budgetRemaining.value;
    const exhaustion = typeof figures.exhaustion.value === "number" && remaining !== null && remaining > 0 ? figures.exhaustion.value : null;
    return {
      ...base,
      prometheus: { configured: true, ok: true, url, error: null } satisfies PromState,
      live: { points, burnRates, burnSeries, alertHistory, alertHistoryNotRecorded, budgetRemaining: remaining, exhausted: figures.exhausted, projectedExhaustion: exhaustion, figures, queries: { errors: qs.errorRate, total: qs.totalRate, budget: qs.budget } },
    };
  } catch (err) {
    return { ...base, prometheus: { configured: true, ok: false, url, error: promError(err, url) } satisfies PromState, live: null };
  }
}

/** SLOs quarantined on a rule target (their last good rules stay live): the board says since when and why. */
async function notDeployedSlos(viewer: Viewer): Promise<Map<string, { target: string; since: string; reason: string }>> {
  const out = new Map<string, { target: string; since: string; reason: string }>();
  const targets = await db().pushTarget.findMany({ where: { enabled: true, kind: { in: ["prometheus", "mimir"] } }, select: { name: true, quarantine: true }, orderBy: { name: "asc" } });
  for (const t of targets) {
    for (const q of Array.isArray(t.quarantine) ? (t.quarantine as Array<{ slo: string; since: string; stage: string; reason: string }>) : []) {
      if (!out.has(q.slo)) out.set(q.slo, { target: t.name, since: q.since, reason: notDeployedReason(q, viewer) });
    }
  }
  return out;
}
