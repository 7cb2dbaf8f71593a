"use client";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { dateTime, pct } from "~/components/format";
import { Badge, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { List, Service, Team } from "~/lib/types";

type Stats = { count: number; medianSeconds: number | null; p90Seconds: number | null; meanSeconds: number | null };
type Metrics = {
  deployments: { total: number; successful: number; failed: number; unplanned: number };
  deploymentFrequency: { perDay: number; deployDays: number; deployDaysPerWeek: number };
  leadTime: Stats; changeFailureRate: number | null; timeToRestore: Stats; failedDeploymentRecoveryTime: Stats; reworkRate: number | null; incidents: { opened: number; resolved: number };
};
type Dora = {
  window: { from: string; to: string; days: number };
  metrics: Metrics | null;
  classification: { deploymentFrequency: string; leadTime: string | null; changeFailureRate: string | null; recovery: string | null; overall: string | null } | null;
  bandSet: string;
  byService: Record<string, Metrics>;
  trend: { weekStart: number; deployments: number; failures: number; perDay: number }[];
  promql: { ok: boolean; error: string | null; values: Record<string, number | null> };
  budgetBurns: { deploymentId: string; service: string; slo: string; drop: number; before: number; lowest: number; lowestAt: string }[];
};

const levelTone = (l: string | null | undefined) => (l === "elite" ? "ok" : l === "high" ? "info" : l === "medium" ? "warn" : l === "low" ? "bad" : "default");

function humanDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export default function DoraPage() {
  const [window, setWindow] = useState("28d");
  const [team, setTeam] = useState("");
  const [service, setService] = useState("");
  const [bands, setBands] = useState("2024");
  const qs = new URLSearchParams({ window, bands, ...(team ? { team } : {}), ...(service ? { service } : {}) }).toString();
  const d = useApi<Dora>(["dora", qs], `/api/v1/dora?${qs}`);
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const services = useApi<List<Service>>(["services", team], `/api/v1/services${team ? `?team=${team}` : ""}`);
  const m = d.data?.metrics;
  const c = d.data?.classification;
  const cards = m ? [
    { label: "Deployment frequency", value: `${m.deploymentFrequency.perDay.toFixed(2)}/day`, sub: `${m.deploymentFrequency.deployDaysPerWeek.toFixed(1)} deploy days/week`, level: c?.deploymentFrequency, prom: d.data?.promql.values.deploymentsPerDay, fmt: (v: number) => `${v.toFixed(2)}/day` },
    { label: "Lead time for changes", value: humanDuration(m.leadTime.medianSeconds), sub: `median · p90 ${humanDuration(m.leadTime.p90Seconds)}`, level: c?.leadTime, prom: d.data?.promql.values.leadTimeMedianSeconds, fmt: humanDuration },
    { label: "Change failure rate", value: pct(m.changeFailureRate), sub: `${m.deployments.failed} of ${m.deployments.total} deployments`, level: c?.changeFailureRate, prom: d.data?.promql.values.changeFailureRate, fmt: (v: number) => pct(v) },
    { label: "Time to restore", value: humanDuration(m.failedDeploymentRecoveryTime.medianSeconds ?? m.timeToRestore.medianSeconds), sub: `median · ${m.incidents.resolved} incidents resolved`, level: c?.recovery, prom: d.data?.promql.values.timeToRestoreMedianSeconds, fmt: humanDuration },
    { label: "Rework rate", value: pct(m.reworkRate), sub: `${m.deployments.unplanned} unplanned deployments`, level: null, prom: d.data?.promql.values.reworkRate, fmt: (v: number) => pct(v) },
  ] : [];
  return (
    <>
      <PageHead title="DORA" subtitle={d.data ? `Delivery performance over the last ${d.data.window.days} days · benchmark ${d.data.bandSet}` : "Delivery performance next to reliability"} />
      <div className="card">
        <div className="filters" style={{ marginBottom: 0 }}>
          <select aria-label="Window" value={window} onChange={(e) => setWindow(e.target.value)}>{["7d", "28d", "30d", "90d"].map((w) => <option key={w} value={w}>Last {w}</option>)}</select>
          <select aria-label="Team" value={team} onChange={(e) => { setTeam(e.target.value); setService(""); }}><option value="">All teams</option>{teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}</select>
          <select aria-label="Service" value={service} onChange={(e) => setService(e.target.value)}><option value="">All services</option>{services.data?.items.map((s) => <option key={s.slug} value={s.slug}>{s.name}</option>)}</select>
          <select aria-label="Benchmark" value={bands} onChange={(e) => setBands(e.target.value)}>{["2024", "2023", "2021"].map((b) => <option key={b} value={b}>DORA {b} bands</option>)}</select>
        </div>
      </div>
      <ErrorBox error={d.error} title="Could not compute DORA metrics" />
      {d.data && !d.data.promql.ok ? <div className="alert alert-warn">PromQL figures unavailable ({d.data.promql.error}); showing figures computed from the database.</div> : null}
      {d.isLoading ? <div className="card"><Loading rows={5} /></div> : null}
      {d.data && !m ? <div className="card"><Empty title="No deployments in this scope">Send deployments with POST /api/v1/deployments or a GitHub/GitLab webhook.</Empty></div> : null}
      {m ? (
        <>
          <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(200px, 1fr))", marginBottom: 16 }}>
            {cards.map((k) => (
              <div className="card" key={k.label} data-testid={`dora-${k.label.replace(/\W+/g, "-").toLowerCase()}`}>
                <div className="stat-label">{k.label}</div>
                <div className="stat">{k.value}</div>
                <div className="muted">{k.sub}</div>
                <div style={{ marginTop: 8 }}>{k.level ? <Badge tone={levelTone(k.level)}>{k.level}</Badge> : null} {k.prom !== undefined && k.prom !== null ? <span className="muted" title="same metric from PromQL over /api/metrics">PromQL: {k.fmt(k.prom)}</span> : null}</div>
              </div>
            ))}
          </div>
          <div className="grid grid-2">
            <div className="card">
              <h2>Deployments per week</h2>
              <div style={{ height: 220 }}>
                <ResponsiveContainer>
                  <BarChart data={d.data?.trend ?? []}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#eef1f6" />
                    <XAxis dataKey="weekStart" tickFormatter={(v: number) => new Date(v).toLocaleDateString(undefined, { month: "short", day: "numeric" })} />
                    <YAxis allowDecimals={false} />
                    <Tooltip labelFormatter={(v) => `week of ${new Date(Number(v)).toLocaleDateString()}`} />
                    <Bar dataKey="deployments" name="deployments" fill="#2f6fed" isAnimationActive={false} />
                    <Bar dataKey="failures" name="failed" fill="#e4572e" isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </div>
            <div className="card">
              <h2>Deploys that burned error budget</h2>
              {d.data?.budgetBurns.length ? (
                <table><thead><tr><th>Service</th><th>SLO</th><th>Budget drop</th><th>When</th></tr></thead>
                  <tbody>{d.data.budgetBurns.map((b, i) => <tr key={i}><td>{b.service}</td><td>{b.slo}</td><td><Badge tone="bad">-{pct(b.drop)}</Badge></td><td>{dateTime(Date.parse(b.lowestAt))}</td></tr>)}</tbody>
                </table>
              ) : <p className="muted">No deployment in this window was followed by a budget drop of 5% or more within 4 hours (needs the SLO recording rules in Prometheus).</p>}
            </div>
          </div>
          {!service ? (
            <div className="card">
              <h2>By service</h2>
              <div className="table-wrap">
                <table>
                  <thead><tr><th>Service</th><th>Deploys/day</th><th>Lead time (median)</th><th>Change failure rate</th><th>Time to restore</th><th>Rework</th></tr></thead>
                  <tbody>{Object.entries(d.data?.byService ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([s, x]) => <tr key={s}><td>{s}</td><td className="mono">{x.deploymentFrequency.perDay.toFixed(2)}</td><td>{humanDuration(x.leadTime.medianSeconds)}</td><td>{pct(x.changeFailureRate)}</td><td>{humanDuration(x.failedDeploymentRecoveryTime.medianSeconds ?? x.timeToRestore.medianSeconds)}</td><td>{pct(x.reworkRate)}</td></tr>)}</tbody>
                </table>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
