import { figureOf, noData, type Figure } from "../figure";
import { secondsToDuration } from "../spec/common";
import { RULE_NAMES } from "../rules/names";
import { gridSeconds } from "../rules/windows";
import { coverageOf, type Coverage } from "./figures";
import { monthAt, utcMonth } from "../calendar";

/**
 * Budget report: one row per SLO over a calendar month or the SLOs' current periods, and one
 * summary per team. Rows use the same event counts as the period rules (5m base rates summed on
 * the time grid), so a month's figure and the board's agree for the same stretch of time.
 */

/** Queries for every SLO at once over the `rangeSeconds` before the evaluation instant (by `slo`). */
export function rangeQueries(rangeSeconds: number) {
  const r = `${secondsToDuration(rangeSeconds)}:${secondsToDuration(gridSeconds(rangeSeconds))}`;
  const g = gridSeconds(rangeSeconds);
  return {
    errors: `sum by (slo) (sum_over_time(${RULE_NAMES.errorRate5m}[${r}])) * ${g}`,
    total: `sum by (slo) (sum_over_time(${RULE_NAMES.totalRate5m}[${r}])) * ${g}`,
    coverage: `max by (slo) (count_over_time(${RULE_NAMES.totalRate5m}[${r}])) * ${g}`,
  };
}

/** A report period: a calendar month (UTC) or "current" (each SLO's own period). */
export type ReportPeriod = {
  label: string;
  /** Epoch ms; null for "current". */
  from: number | null;
  to: number | null;
  /** The month has not ended: figures cover the month so far. */
  monthToDate: boolean;
};

/** Parses "current" or "YYYY-MM" against `now` (epoch ms); null for a malformed month, "future" for one that has not started. */
export function reportPeriod(period: string, now: number): ReportPeriod | null | "future" {
  if (period === "current") return { label: "current SLO windows", from: null, to: null, monthToDate: false };
  if (!utcMonth(period)) return null;
  const m = monthAt(period, now);
  if (!m) return "future";
  return { label: m.monthToDate ? `${period} (month to date)` : period, from: m.from, to: m.end, monthToDate: m.monthToDate };
}

/** Per-SLO input of a report row. */
export type ReportSlo = {
  slo: string; name: string; service: string; serviceName: string; team: string; teamName: string; objective: number; window: string;
};

export type ReportRow = ReportSlo & {
  errorRatio: number | null;
  budgetConsumed: number | null;
  budgetRemaining: number | null;
  /** "met" / "missed" / "no data" for a month; the policy state for "current". */
  policyState: string;
  policyReason: string;
  /** Incidents of the SLO's service in the period (shared by the service's SLOs: do not sum over rows). */
  incidents: number;
  events: number | null;
  coverage: Coverage | null;
  /** Why the figures are missing, when they are. */
  noDataReason: string | null;
};

export type TeamSummary = {
  team: string; teamName: string;
  slos: number;
  slosWithData: number;
  slosWithinBudget: number;
  /** Distinct incidents of the team's services in the period (each counted once, however many SLOs a service has). */
  incidents: number;
  /** "3 of 4 SLOs within budget", "1 of 2 SLOs with data within budget (2 without data)" or "no data". */
  summary: string;
};

/** Figures of one SLO over a month from counted events (null when the month holds no data for it). */
export function monthFigures(input: { objective: number; errors: number | undefined; total: number | undefined; coverageSeconds: number | undefined; rangeSeconds: number }): {
  errorRatio: Figure<number>; events: Figure<number>; coverage: Coverage;
} {
  const coverage = coverageOf(input.coverageSeconds, input.rangeSeconds);
  if (coverage.seconds === 0 || input.total === undefined) return { errorRatio: noData("no SLI data in this period"), events: noData("no SLI data in this period"), coverage };
  const events = figureOf(input.total, "no events in this period");
  const errorRatio = input.total > 0 && input.errors !== undefined ? figureOf(input.errors / input.total, "no events in this period") : noData("no events in this period");
  return { errorRatio, events, coverage };
}

/** A report row from a period's error ratio (null = no data) and the service's incident count. */
export function reportRow(slo: ReportSlo, f: { errorRatio: Figure<number>; events: Figure<number>; coverage: Coverage | null; incidents: number; policy?: { state: string; reason: string } }): ReportRow {
  const budget = (100 - slo.objective) / 100;
  const ratio = f.errorRatio.value;
  const consumed = ratio === null ? null : ratio / budget;
  const state = f.policy?.state ?? (ratio === null ? "no data" : ratio > budget ? "missed" : "met");
  return {
    ...slo,
    errorRatio: ratio,
    budgetConsumed: consumed,
    budgetRemaining: consumed === null ? null : 1 - consumed,
    policyState: state,
    policyReason: f.policy?.reason ?? (f.errorRatio.value === null ? f.errorRatio.reason : f.coverage?.partial ? `data for ${f.coverage.label}` : ""),
    incidents: f.incidents,
    events: f.events.value,
    coverage: f.coverage,
    noDataReason: f.errorRatio.value === null ? f.errorRatio.reason : null,
  };
}

/**
 * Team summaries: SLOs within budget among those with data, and incidents counted once per
 * incident (an incident belongs to a service; a service with two SLOs does not count it twice).
 */
export function teamSummaries(rows: readonly ReportRow[], incidents: readonly { id: string; service: string }[]): TeamSummary[] {
  const teams = new Map<string, { teamName: string; rows: ReportRow[]; services: Set<string> }>();
  for (const r of rows) {
    const t = teams.get(r.team) ?? { teamName: r.teamName, rows: [], services: new Set<string>() };
    t.rows.push(r);
    t.services.add(r.service);
    teams.set(r.team, t);
  }
  return [...teams.entries()]
    .map(([team, t]) => {
      const withData = t.rows.filter((r) => r.budgetRemaining !== null);
      const within = withData.filter((r) => (r.budgetRemaining as number) > 0).length;
      const ids = new Set(incidents.filter((i) => t.services.has(i.service)).map((i) => i.id));
      const missing = t.rows.length - withData.length;
      const summary =
        withData.length === 0
          ? "no data"
          : missing === 0
            ? `${within} of ${t.rows.length} SLOs within budget`
            : `${within} of ${withData.length} SLOs with data within budget (${missing} without data)`;
      return { team, teamName: t.teamName, slos: t.rows.length, slosWithData: withData.length, slosWithinBudget: within, incidents: ids.size, summary };
    })
    .sort((a, b) => a.teamName.localeCompare(b.teamName));
}

/** Incidents per service slug (each incident once). */
export function incidentsByService(incidents: readonly { id: string; service: string }[]): Map<string, number> {
  const m = new Map<string, Set<string>>();
  for (const i of incidents) m.set(i.service, (m.get(i.service) ?? new Set()).add(i.id));
  return new Map([...m].map(([k, v]) => [k, v.size]));
}

/** Rows sorted by team, service and name (the report's reading order). */
export function sortReportRows<T extends ReportSlo>(rows: T[]): T[] {
  return rows.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.serviceName.localeCompare(b.serviceName) || a.name.localeCompare(b.name));
}
