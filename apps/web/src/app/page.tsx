"use client";
import Link from "next/link";
import { useState } from "react";
import { DataTable, useRowLimit } from "~/components/crud";
import { burn, burnAt, burnTone, dateTime, label, stateTone } from "~/components/format";
import { BOARD_WINDOWS } from "@burnrate/domain";
import { AlertChips, Badge, BudgetCell, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { List, Slo, Team } from "~/lib/types";

type Row = Slo & {
  burnRates: Record<string, number>;
  budgetRemaining: number | null;
  eventsInPeriod: number | null;
  figures?: { coverage: { partial: boolean; label: string }; budgetRemaining: { value: number | null; reason?: string }; exhausted: boolean };
  alerts: { alertname: string; severity: string; state: string; burnTier?: string; inhibited?: boolean; silenced?: boolean }[];
  policyState: { state: string; reason: string };
  /** Quarantined on a rule target: the last good rules stay live. */
  notDeployed: { target: string; since: string; reason: string } | null;
};
type Board = { prometheus: { configured: boolean; ok: boolean; url: string | null; error: string | null }; queryCount: number; generatedAt: string; items: Row[] };
const WINDOWS = BOARD_WINDOWS;
const firingWith = (r: Row, severity: string) => r.alerts.some((a) => a.state === "firing" && a.severity === severity);

export default function OnCallBoard() {
  const [team, setTeam] = useState("");
  const [severity, setSeverity] = useState("");
  const [search, setSearch] = useState("");
  // The board always loads the whole fleet: the summary cards count every SLO, whatever the filters
  // and the search box show below them.
  const board = useApi<Board>(["board", ""], "/api/v1/board", { refetchInterval: 15_000 });
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const rows = useRowLimit(100);
  const all = board.data?.items ?? [];
  const q = search.trim().toLowerCase();
  const items = all.filter((r) => (!team || r.team === team) && (!severity || firingWith(r, severity)) && (!q || `${r.name} ${r.slug} ${r.serviceName}`.toLowerCase().includes(q)));
  const firing = all.filter((r) => firingWith(r, "page")).length;
  const tickets = all.filter((r) => firingWith(r, "ticket")).length;
  // Exhausted only when the period is (nearly) fully covered: the domain's definition, as in the alert.
  const exhausted = all.filter((r) => r.figures?.exhausted).length;
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
        <div className="card" data-testid="card-slos"><div className="stat-label">SLOs</div><div className="stat">{board.data ? all.length : "…"}</div>{board.data && items.length !== all.length ? <div className="muted">{items.length} shown</div> : null}</div>
        <div className="card" data-testid="card-paging"><div className="stat-label">Paging now</div><div className="stat" style={{ color: firing ? "var(--bad)" : undefined }}>{board.data ? firing : "…"}</div></div>
        <div className="card" data-testid="card-tickets"><div className="stat-label">Tickets open</div><div className="stat" style={{ color: tickets ? "var(--warn)" : undefined }}>{board.data ? tickets : "…"}</div></div>
        <div className="card" data-testid="card-exhausted"><div className="stat-label">Budget exhausted</div><div className="stat" style={{ color: exhausted ? "var(--bad)" : undefined }}>{board.data ? exhausted : "…"}</div></div>
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
          <>
            <p className="scroll-hint" aria-hidden>Swipe the table sideways for burn rates, policy and objective →</p>
            <DataTable testId="board" head={["SLO", "Alerts", "Budget left", ...WINDOWS.map((w) => ({ label: w, title: `burn rate over ~${w}` })), "Policy", "Objective"]}>
              {rows.take(items).map((r) => (
                <tr key={r.id} data-testid={`board-row-${r.slug}`}>
                  <td className="board-slo"><Link href={`/slos/${r.slug}`}><strong>{r.name}</strong></Link><div className="muted">{r.serviceName} · {r.teamName}</div>{r.notDeployed ? <div className="field-error" data-testid="board-not-deployed" title={r.notDeployed.reason}>not deployed since {dateTime(Date.parse(r.notDeployed.since))} ({r.notDeployed.target}): {r.notDeployed.reason.slice(0, 120)}</div> : null}</td>
                  <td>
                    <AlertChips alerts={r.alerts} />
                  </td>
                  <td style={{ minWidth: 130 }}>
                    <BudgetCell value={r.budgetRemaining} exhausted={r.figures?.exhausted} />
                    {r.figures?.coverage.partial ? <div className="muted" data-testid="budget-coverage" title="The period holds less data than its length">{r.figures.coverage.label}</div> : null}
                  </td>
                  {WINDOWS.map((w) => {
                    const v = burnAt(r.burnRates, w);
                    return <td key={w} data-testid={`burn-${w}`}><Badge tone={burnTone(v)}>{burn(v)}</Badge></td>;
                  })}
                  <td title={r.policyState.reason}><Badge tone={stateTone(r.policyState.state)}>{label(r.policyState.state)}</Badge></td>
                  <td className="mono">{r.objective}%<div className="muted">{r.window}</div></td>
                </tr>
              ))}
            </DataTable>
            {rows.footer(items.length)}
          </>
        ) : null}
      </div>
    </>
  );
}
