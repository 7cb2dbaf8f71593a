import "server-only";
import { incidentsByService, monthFigures, rangeQueries, reportRow, sortReportRows, teamSummaries, type ReportRow } from "@burnrate/domain";
import { parseSampleValue, type QueryData } from "@burnrate/integrations";
import { db } from "../db";
import { sloInclude, sloOut } from "./catalog";
import { onCallBoard, prometheus } from "./live";
import { currentIncidentsSince, reportPeriodAt } from "./report-period";

export type { ReportRow };

/**
 * Error-budget report for managers; rows, team summaries and the month-to-date mark come from the
 * domain (queries/report.ts). `current` is the board's figures for each SLO's own period. A calendar
 * month (`YYYY-MM`) counts each SLO's events in that month from the recorded 5m base rates on the
 * period rules' time grid (three queries for all SLOs, evaluated at the month's end or now).
 */
export async function budgetReport(opts: { period: string; team?: string; now: number }) {
  const now = opts.now;
  const period = reportPeriodAt(opts.period, now);
  if (period.from === null || period.to === null) {
    const board = await onCallBoard({ team: opts.team });
    const incidents = (await db().incident.findMany({ where: { openedAt: { gte: new Date(currentIncidentsSince(now)) } }, include: { service: true } })).map((i) => ({ id: i.id, service: i.service.slug }));
    const perService = incidentsByService(incidents);
    const rows = board.items.map((r) =>
      reportRow(
        { slo: r.slug, name: r.name, service: r.service, serviceName: r.serviceName, team: r.team, teamName: r.teamName, objective: r.objective, window: r.window },
        { errorRatio: r.figures.errorRatio, events: r.figures.eventsInPeriod, coverage: r.figures.coverage, incidents: perService.get(r.service) ?? 0, policy: { state: r.policyState.state, reason: r.policyState.reason } },
      ),
    );
    return { period, prometheus: board.prometheus, rows: sortReportRows(rows), teams: teamSummaries(rows, incidents) };
  }
  const { from, to } = period;
  const rangeSeconds = Math.max(300, Math.floor((to - from) / 1000));
  const slos = (await db().slo.findMany({ where: opts.team ? { sli: { service: { team: { slug: opts.team } } } } : {}, include: sloInclude, orderBy: { name: "asc" } })).map(sloOut);
  const client = prometheus();
  const prom = { configured: Boolean(client), ok: Boolean(client), url: null as string | null, error: client ? null : "Prometheus is not configured" };
  const incidents = (await db().incident.findMany({ where: { openedAt: { gte: new Date(from), lt: new Date(to) } }, include: { service: true } })).map((i) => ({ id: i.id, service: i.service.slug }));
  const perService = incidentsByService(incidents);
  const bySlo = (d: QueryData) => new Map(d.resultType === "vector" ? d.result.flatMap((r) => (r.value ? [[r.metric.slo ?? "", parseSampleValue(r.value[1])] as const] : [])) : []);
  let errors = new Map<string, number>();
  let totals = new Map<string, number>();
  let coverage = new Map<string, number>();
  if (client) {
    try {
      const q = rangeQueries(rangeSeconds);
      const at = to / 1000;
      const [e, n, c] = await Promise.all([client.query(q.errors, at), client.query(q.total, at), client.query(q.coverage, at)]);
      [errors, totals, coverage] = [bySlo(e.data), bySlo(n.data), bySlo(c.data)];
    } catch (err) {
      prom.ok = false;
      prom.error = (err as Error).message;
    }
  }
  const rows = slos.map((s) => {
    const f = monthFigures({ objective: s.objective, errors: errors.get(s.slug), total: totals.get(s.slug), coverageSeconds: coverage.get(s.slug), rangeSeconds });
    return reportRow(
      { slo: s.slug, name: s.name, service: s.service, serviceName: s.serviceName, team: s.team, teamName: s.teamName, objective: s.objective, window: s.window },
      { ...f, incidents: perService.get(s.service) ?? 0 },
    );
  });
  return { period, prometheus: prom, rows: sortReportRows(rows), teams: teamSummaries(rows, incidents) };
}

/**
 * CSV with a header row; values are quoted and formula-leading characters neutralised. `coverage`
 * says how much of the period holds data ("12 min of 30 d"); `incidents` is the service's count.
 */
export function toCsv(rows: ReportRow[]): string {
  const cols = ["team", "service", "slo", "name", "objective", "window", "errorRatio", "budgetConsumed", "budgetRemaining", "policyState", "incidents", "events", "coverage"] as const;
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    let s = typeof v === "number" ? String(Number(v.toFixed(6))) : String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v !== "number") s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const value = (r: ReportRow, c: (typeof cols)[number]) => (c === "coverage" ? (r.coverage?.label ?? null) : r[c]);
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(value(r, c))).join(","))].join("\n") + "\n";
}
