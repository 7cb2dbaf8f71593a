import "server-only";
import { sliQueries } from "@burnrate/domain";
import { parseSampleValue } from "@burnrate/integrations";
import { db } from "../db";
import { sloInclude, sloOut } from "./catalog";
import { onCallBoard, prometheus } from "./live";
import { currentIncidentsSince, reportMonth } from "./report-period";

export type ReportRow = {
  slo: string; name: string; service: string; serviceName: string; team: string; teamName: string; objective: number; window: string;
  errorRatio: number | null; budgetConsumed: number | null; budgetRemaining: number | null; policyState: string; policyReason: string; incidents: number; events: number | null;
};

/**
 * Error-budget report for managers. `current` reads each SLO's own rolling period from the shared
 * recording rules (constant queries). A calendar month (`YYYY-MM`) evaluates each SLI's raw
 * expressions over that month at its end (two queries per SLO; reports are not on a hot path).
 */
export async function budgetReport(opts: { period: string; team?: string; now: number }) {
  if (opts.period === "current") {
    const board = await onCallBoard({ team: opts.team });
    const incidents = await db().incident.groupBy({ by: ["serviceId"], where: { openedAt: { gte: new Date(currentIncidentsSince(opts.now)) } }, _count: true });
    const services = new Map((await db().service.findMany()).map((s) => [s.slug, s.id]));
    const inc = new Map(incidents.map((i) => [i.serviceId, i._count]));
    const rows: ReportRow[] = board.items.map((r) => ({
      slo: r.slug, name: r.name, service: r.service, serviceName: r.serviceName, team: r.team, teamName: r.teamName, objective: r.objective, window: r.window,
      errorRatio: r.budgetRemaining === null ? null : (1 - r.budgetRemaining) * (1 - r.objective / 100),
      budgetConsumed: r.budgetRemaining === null ? null : 1 - r.budgetRemaining, budgetRemaining: r.budgetRemaining,
      policyState: r.policyState.state, policyReason: r.policyState.reason, incidents: inc.get(services.get(r.service) ?? "") ?? 0, events: r.eventsInPeriod,
    }));
    return { period: { label: "current SLO windows", from: null, to: null }, prometheus: board.prometheus, rows: sortRows(rows) };
  }
  // Calendar months are UTC (packages/domain calendar), whatever the server's time zone.
  const { from, to, end, range } = reportMonth(opts.period, opts.now);
  const slos = (await db().slo.findMany({ where: opts.team ? { sli: { service: { team: { slug: opts.team } } } } : {}, include: sloInclude, orderBy: { name: "asc" } })).map(sloOut);
  const client = prometheus();
  const prom = { configured: Boolean(client), ok: Boolean(client), url: null as string | null, error: client ? null : "Prometheus is not configured" };
  const incidents = await db().incident.findMany({ where: { openedAt: { gte: new Date(from), lt: new Date(to) } }, include: { service: true } });
  const rows: ReportRow[] = [];
  for (const s of slos) {
    let errorRatio: number | null = null;
    let events: number | null = null;
    if (client && prom.ok) {
      try {
        const q = sliQueries(s.sliSpec, range);
        const [e, n] = await Promise.all([client.query(q.errors, end / 1000), client.query(q.total, end / 1000)]);
        const val = (d: typeof e.data) => (d.resultType === "vector" && d.result[0]?.value ? parseSampleValue(d.result[0].value[1]) : null);
        const ev = val(e.data);
        const nv = val(n.data);
        if (ev !== null && nv !== null && nv > 0) {
          errorRatio = ev / nv;
          events = nv * ((end - from) / 1000);
        }
      } catch (err) {
        prom.ok = false;
        prom.error = (err as Error).message;
      }
    }
    const budget = 1 - s.objective / 100;
    rows.push({
      slo: s.slug, name: s.name, service: s.service, serviceName: s.serviceName, team: s.team, teamName: s.teamName, objective: s.objective, window: s.window,
      errorRatio, budgetConsumed: errorRatio === null ? null : errorRatio / budget, budgetRemaining: errorRatio === null ? null : 1 - errorRatio / budget,
      policyState: errorRatio !== null && errorRatio > budget ? "missed" : errorRatio === null ? "no data" : "met", policyReason: "", events,
      incidents: incidents.filter((i) => i.service.slug === s.service).length,
    });
  }
  return { period: { label: opts.period, from, to }, prometheus: prom, rows: sortRows(rows) };
}

function sortRows(rows: ReportRow[]): ReportRow[] {
  return rows.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.serviceName.localeCompare(b.serviceName) || a.name.localeCompare(b.name));
}

/** CSV with a header row; values are quoted and formula-leading characters neutralised. */
export function toCsv(rows: ReportRow[]): string {
  const cols: (keyof ReportRow)[] = ["team", "service", "slo", "name", "objective", "window", "errorRatio", "budgetConsumed", "budgetRemaining", "policyState", "incidents", "events"];
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    let s = typeof v === "number" ? String(Number(v.toFixed(6))) : String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v !== "number") s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}
