"use client";
import { recentUtcMonths } from "@burnrate/domain";
import { useState } from "react";
import { budgetColor, label, pct, stateTone } from "~/components/format";
import { Badge, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { List, Team } from "~/lib/types";

type Row = { slo: string; name: string; service: string; serviceName: string; team: string; teamName: string; objective: number; window: string; errorRatio: number | null; budgetConsumed: number | null; budgetRemaining: number | null; policyState: string; policyReason: string; incidents: number; events: number | null };
type Report = { period: { label: string }; prometheus: { ok: boolean; error: string | null }; rows: Row[] };

/** The six UTC months offered, the one in progress first (the page renders at the browser's now). */
function months(): string[] {
  return recentUtcMonths(Date.now(), 6);
}

export default function ReportsPage() {
  const [period, setPeriod] = useState("current");
  const [team, setTeam] = useState("");
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
          <select aria-label="Period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            <option value="current">Current SLO windows</option>
            {months().map((m) => <option key={m} value={m}>Calendar month {m}</option>)}
          </select>
          <select aria-label="Filter by team" value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
          </select>
        </div>
      </div>
      {r.data && !r.data.prometheus.ok ? <div className="alert alert-error" role="alert" data-testid="prometheus-error"><strong>Live data unavailable.</strong> {r.data.prometheus.error}</div> : null}
      <ErrorBox error={r.error} title="Could not build the report" />
      {r.isLoading ? <div className="card"><Loading rows={6} /></div> : null}
      {r.data && r.data.rows.length === 0 ? <div className="card"><Empty title="No SLOs in scope">Define SLOs to see their error budgets here.</Empty></div> : null}
      {[...groups.entries()].map(([teamName, rows]) => {
        const met = rows.filter((x) => x.budgetRemaining !== null && x.budgetRemaining > 0).length;
        return (
          <div className="card" key={teamName}>
            <div className="page-head" style={{ marginBottom: 8 }}>
              <h2 style={{ margin: 0 }}>{teamName}</h2>
              <span className="muted">{met} of {rows.length} SLOs within budget · {rows.reduce((n, x) => n + x.incidents, 0)} incidents</span>
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
                      <td className="mono">{pct(x.budgetRemaining)}</td>
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
