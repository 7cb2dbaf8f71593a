"use client";
import Link from "next/link";
import { useState } from "react";
import { DataTable } from "~/components/crud";
import { budgetColor, burn, burnAt, burnTone, dateTime, label, pct, stateTone } from "~/components/format";
import { Badge, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { List, Slo, Team } from "~/lib/types";

type Row = Slo & {
  burnRates: Record<string, number>;
  budgetRemaining: number | null;
  eventsInPeriod: number | null;
  alerts: { alertname: string; severity: string; state: string; burnTier?: string; inhibited?: boolean; silenced?: boolean }[];
  policyState: { state: string; reason: string };
  /** Quarantined on a rule target: the last good rules stay live. */
  notDeployed: { target: string; since: string; reason: string } | null;
};
type Board = { prometheus: { configured: boolean; ok: boolean; url: string | null; error: string | null }; queryCount: number; generatedAt: string; items: Row[] };
const WINDOWS = ["5m", "1h", "6h", "1d", "3d"];

export default function OnCallBoard() {
  const [team, setTeam] = useState("");
  const [severity, setSeverity] = useState("");
  const [search, setSearch] = useState("");
  const qs = new URLSearchParams({ ...(team ? { team } : {}), ...(severity ? { severity } : {}) }).toString();
  const board = useApi<Board>(["board", qs], `/api/v1/board${qs ? `?${qs}` : ""}`, { refetchInterval: 15_000 });
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const items = (board.data?.items ?? []).filter((r) => !search || `${r.name} ${r.slug} ${r.serviceName}`.toLowerCase().includes(search.toLowerCase()));
  const firing = items.filter((r) => r.alerts.some((a) => a.state === "firing" && a.severity === "page")).length;
  const tickets = items.filter((r) => r.alerts.some((a) => a.state === "firing" && a.severity === "ticket")).length;
  const exhausted = items.filter((r) => r.budgetRemaining !== null && r.budgetRemaining <= 0).length;
  return (
    <>
      <PageHead
        title="On-call board"
        subtitle={board.data ? `Every SLO by urgency · refreshed ${new Date(board.data.generatedAt).toLocaleTimeString()} · ${board.data.queryCount} PromQL queries` : "Burn rates, error budgets and alerts for every SLO"}
        actions={<button className="btn" onClick={() => void board.refetch()} disabled={board.isFetching}>{board.isFetching ? "Refreshing…" : "Refresh"}</button>}
      />
      {board.data && !board.data.prometheus.ok ? (
        <div className="alert alert-error" role="alert" data-testid="prometheus-error">
          <strong>Live data unavailable.</strong> {board.data.prometheus.error} Live burn rates and budgets are unavailable; the SLO list below comes from the database.
        </div>
      ) : null}
      <ErrorBox error={board.error} title="Could not load the board" />
      <div className="grid grid-4" style={{ marginBottom: 16 }}>
        <div className="card"><div className="stat-label">SLOs</div><div className="stat">{board.data ? items.length : "…"}</div></div>
        <div className="card"><div className="stat-label">Paging now</div><div className="stat" style={{ color: firing ? "var(--bad)" : undefined }}>{board.data ? firing : "…"}</div></div>
        <div className="card"><div className="stat-label">Tickets open</div><div className="stat" style={{ color: tickets ? "var(--warn)" : undefined }}>{board.data ? tickets : "…"}</div></div>
        <div className="card"><div className="stat-label">Budget exhausted</div><div className="stat" style={{ color: exhausted ? "var(--bad)" : undefined }}>{board.data ? exhausted : "…"}</div></div>
      </div>
      <div className="card">
        <div className="filters">
          <select aria-label="Filter by team" value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
          </select>
          <select aria-label="Filter by severity" value={severity} onChange={(e) => setSeverity(e.target.value)}>
            <option value="">Any alert state</option>
            <option value="page">Paging</option>
            <option value="ticket">Ticket firing</option>
          </select>
          <input type="text" aria-label="Search" placeholder="Search SLOs or services…" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {board.isLoading ? <Loading rows={6} label="Loading board" /> : null}
        {board.data && items.length === 0 ? <Empty title={severity || team || search ? "Nothing matches these filters" : "No SLOs yet"} action={<Link className="btn btn-primary" href="/slos/new">Create an SLO</Link>}>All quiet.</Empty> : null}
        {items.length > 0 ? (
          <DataTable testId="board" head={["SLO", "Objective", "Budget left", ...WINDOWS.map((w) => ({ label: w, title: `burn rate over ~${w}` })), "Alerts", "Policy"]}>
            {items.map((r) => (
              <tr key={r.id} data-testid={`board-row-${r.slug}`}>
                <td><Link href={`/slos/${r.slug}`}><strong>{r.name}</strong></Link><div className="muted">{r.serviceName} · {r.teamName}</div>{r.notDeployed ? <div className="field-error" data-testid="board-not-deployed" title={r.notDeployed.reason}>not deployed since {dateTime(Date.parse(r.notDeployed.since))} ({r.notDeployed.target}): {r.notDeployed.reason.slice(0, 120)}</div> : null}</td>
                <td className="mono">{r.objective}%<div className="muted">{r.window}</div></td>
                <td style={{ minWidth: 130 }}>
                  <div className="mono" data-testid="budget">{pct(r.budgetRemaining)}</div>
                  <div className="bar"><span style={{ width: `${Math.max(0, Math.min(1, r.budgetRemaining ?? 0)) * 100}%`, background: budgetColor(r.budgetRemaining) }} /></div>
                </td>
                {WINDOWS.map((w) => {
                  const v = burnAt(r.burnRates, w);
                  return <td key={w}><Badge tone={burnTone(v)}>{burn(v)}</Badge></td>;
                })}
                <td>
                  {r.alerts.length === 0 ? <span className="muted">—</span> : r.alerts.map((a, i) => (
                    <div key={i}><Badge tone={a.state === "firing" ? (a.severity === "page" ? "bad" : "warn") : "default"}>{a.state} {a.severity}{a.burnTier ? ` · ${a.burnTier}` : ""}{a.inhibited ? " · inhibited" : ""}{a.silenced ? " · silenced" : ""}</Badge></div>
                  ))}
                </td>
                <td title={r.policyState.reason}><Badge tone={stateTone(r.policyState.state)}>{label(r.policyState.state)}</Badge></td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </div>
    </>
  );
}
