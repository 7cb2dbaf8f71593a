"use client";
import { recentUtcMonths } from "@burnrate/domain";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { budgetColor, budgetExhausted, label, pct, stateTone } from "~/components/format";
import { Badge, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { List, Team } from "~/lib/types";

type Row = { slo: string; name: string; service: string; serviceName: string; team: string; teamName: string; objective: number; window: string; errorRatio: number | null; budgetConsumed: number | null; budgetRemaining: number | null; policyState: string; policyReason: string; incidents: number; events: number | null };
type TeamSummary = { teamName: string; incidents: number; summary: string };
type Report = { period: { label: string; monthToDate: boolean }; prometheus: { ok: boolean; error: string | null }; rows: Row[]; teams: TeamSummary[] };

/** The six UTC months offered, the one in progress first (the page renders at the browser's now). */
function months(): string[] {
  return recentUtcMonths(Date.now(), 6);
}

export default function ReportsPage() {
  return (
    <Suspense fallback={<Loading />}>
      <Report />
    </Suspense>
  );
}

/** The chosen period and team live in the URL (?period=2026-11&team=payments): links and reloads keep them. */
function Report() {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const period = params.get("period") || "current";
  const team = params.get("team") || "";
  const choose = (k: "period" | "team", v: string) => {
    const next = new URLSearchParams(params.toString());
    if (v && !(k === "period" && v === "current")) next.set(k, v);
    else next.delete(k);
    const q = next.toString();
    router.replace(q ? `${path}?${q}` : path, { scroll: false });
  };
  const monthList = months();
  const currentMonth = monthList[0];
  const qs = new URLSearchParams({ period, ...(team ? { team } : {}) }).toString();
  const r = useApi<Report>(["report", qs], `/api/v1/reports/budget?${qs}`);
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const groups = new Map<string, Row[]>();
  for (const row of r.data?.rows ?? []) groups.set(row.teamName, [...(groups.get(row.teamName) ?? []), row]);
  return (
    <>
      <PageHead
        title="Error budget report"
        subtitle={r.data ? `Budget consumed per team and service · ${r.data.period.label}` : "Budget consumed per team and service"}
        actions={<><a className="btn" href={`/api/v1/reports/budget?${qs}&format=csv`} download>Export CSV</a><button className="btn" onClick={() => window.print()}>Print</button></>}
      />
      <div className="card no-print">
        <div className="filters" style={{ marginBottom: 0 }}>
          <select aria-label="Period" value={period} onChange={(e) => choose("period", e.target.value)}>
            <option value="current">Current SLO windows</option>
            {monthList.map((m) => <option key={m} value={m}>Calendar month {m}{m === currentMonth ? " (month to date)" : ""}</option>)}
            {period !== "current" && !monthList.includes(period) ? <option value={period}>{period}</option> : null}
          </select>
          <select aria-label="Filter by team" value={team} onChange={(e) => choose("team", e.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
          </select>
        </div>
      </div>
      <div className="print-only" data-testid="print-period" style={{ marginBottom: 8 }}>
        <strong>Period:</strong> {r.data?.period.label ?? period}{period === currentMonth ? " (month to date)" : ""}
        {team ? <> · <strong>Team:</strong> {teams.data?.items.find((t) => t.slug === team)?.name ?? team}</> : null}
        {r.data ? ` · generated ${new Date().toLocaleString()}` : null}
      </div>
      {r.data && !r.data.prometheus.ok ? <div className="alert alert-error" role="alert" data-testid="prometheus-error"><strong>Live data unavailable.</strong> {r.data.prometheus.error}</div> : null}
      <ErrorBox error={r.error} title="Could not build the report" />
      {r.isLoading ? <div className="card"><Loading rows={6} /></div> : null}
      {r.data && r.data.rows.length === 0 ? <div className="card"><Empty title="No SLOs in scope">Define SLOs to see their error budgets here.</Empty></div> : null}
      {[...groups.entries()].map(([teamName, rows]) => {
        // Summaries come from the API: incidents once per service, "no data" for months without data.
        const t = r.data?.teams.find((x) => x.teamName === teamName);
        return (
          <div className="card" key={teamName}>
            <div className="page-head" style={{ marginBottom: 8 }}>
              <h2 style={{ margin: 0 }}>{teamName}</h2>
              <span className="muted" data-testid="team-summary">{t?.summary ?? "no data"} · {t?.incidents ?? 0} incidents</span>
            </div>
            <div className="table-wrap">
              <table>
                <thead><tr><th>Service</th><th>SLO</th><th>Objective</th><th>Error ratio</th><th>Budget consumed</th><th>Remaining</th><th>Policy</th><th>Incidents</th></tr></thead>
                <tbody>
                  {rows.map((x) => (
                    <tr key={x.slo} data-testid={`report-${x.slo}`}>
                      <td>{x.serviceName}</td>
                      <td>{x.name}</td>
                      <td className="mono">{x.objective}% / {x.window}</td>
                      <td className="mono">{pct(x.errorRatio, 3)}</td>
                      <td style={{ minWidth: 140 }}><div className="mono">{pct(x.budgetConsumed)}</div><div className="bar"><span style={{ width: `${Math.min(1, Math.max(0, x.budgetConsumed ?? 0)) * 100}%`, background: budgetColor(x.budgetRemaining) }} /></div></td>
                      <td className={`mono${budgetExhausted(x.budgetRemaining) ? " budget-neg" : ""}`}>{pct(x.budgetRemaining)}</td>
                      <td title={x.policyReason}><Badge tone={x.policyState === "met" ? "ok" : x.policyState === "missed" ? "bad" : stateTone(x.policyState)}>{label(x.policyState)}</Badge></td>
                      <td>{x.incidents}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </>
  );
}
