"use client";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { LEAD_TIME_BUCKETS, RESTORE_BUCKETS, type DoraFigureKey, type DoraFigures, type Figure } from "@burnrate/domain";
import { FigureText } from "~/components/figure";
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
  window: { from: string; to: string; days: number; dataFrom: string | null; coveredDays: number };
  metrics: Metrics;
  figures: DoraFigures;
  classification: { deploymentFrequency: string; leadTime: string | null; changeFailureRate: string | null; recovery: string | null; overall: string | null } | null;
  bandSet: string;
  byService: Record<string, Metrics & { figures: DoraFigures }>;
  trend: { weekStart: number; deployments: number; successful: number; failures: number; perDay: number }[];
  promql: { ok: boolean; error: string | null; at: string; values: Record<string, number | null>; figures: DoraFigures | null };
  budgetBurns: { deploymentId: string; service: string; slo: string; drop: number; before: number; lowest: number; lowestAt: string }[];
};

const levelTone = (l: string | null | undefined) => (l === "elite" ? "ok" : l === "high" ? "info" : l === "medium" ? "warn" : l === "low" ? "bad" : "default");

function humanDuration(s: number): string {
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/**
 * PromQL quantiles come from histogram buckets and are only bucket-accurate (the DORA band edges
 * are bucket edges), so the cross-check shows the bucket, not a falsely precise number.
 */
function bucketRange(buckets: readonly number[]) {
  return (v: number) => {
    const i = buckets.findIndex((b) => v <= b);
    const lo = buckets[i - 1];
    const hi = buckets[i];
    if (hi === undefined) return `over ${humanDuration(buckets[buckets.length - 1] ?? 0)}`;
    return lo === undefined ? `under ${humanDuration(hi)}` : `${humanDuration(lo)}–${humanDuration(hi)}`;
  };
}

const utcDay = (ms: number) => new Date(ms).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

type Card = { label: string; key: DoraFigureKey; format: (v: number) => string; sub: string; level: string | null | undefined; promFormat: (v: number) => string };

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
  const f = d.data?.figures;
  const c = d.data?.classification;
  const pf = d.data?.promql.figures ?? null;
  const cards: Card[] = m ? [
    { label: "Deployment frequency", key: "deploymentsPerDay", format: (v) => `${v.toFixed(2)}/day`, sub: `${m.deployments.successful} successful of ${m.deployments.total} deployments · ${m.deploymentFrequency.deployDays} of ${d.data?.window.days} days with a deploy`, level: c?.deploymentFrequency, promFormat: (v) => `${v.toFixed(2)}/day` },
    { label: "Lead time for changes", key: "leadTimeMedianSeconds", format: humanDuration, sub: `median of ${m.leadTime.count} changes`, level: c?.leadTime, promFormat: bucketRange(LEAD_TIME_BUCKETS) },
    { label: "Change failure rate", key: "changeFailureRate", format: (v) => pct(v), sub: `${m.deployments.failed} of ${m.deployments.total} deployments failed`, level: c?.changeFailureRate, promFormat: (v) => pct(v) },
    { label: "Failed deployment recovery", key: "recoveryMedianSeconds", format: humanDuration, sub: `median of ${m.failedDeploymentRecoveryTime.count} failed deployments recovered`, level: c?.recovery, promFormat: bucketRange(RESTORE_BUCKETS) },
    { label: "Time to restore", key: "timeToRestoreMedianSeconds", format: humanDuration, sub: `median of ${m.incidents.resolved} incidents resolved`, level: null, promFormat: bucketRange(RESTORE_BUCKETS) },
    { label: "Rework rate", key: "reworkRate", format: (v) => pct(v), sub: `${m.deployments.unplanned} unplanned of ${m.deployments.total} deployments`, level: null, promFormat: (v) => pct(v) },
  ] : [];
  const w = d.data?.window;
  const partial = w && w.coveredDays < w.days;
  return (
    <>
      <PageHead title="DORA" subtitle={w ? `Delivery performance over the ${w.days} whole UTC days ${utcDay(Date.parse(w.from))} – ${utcDay(Date.parse(w.to) - 1)} · benchmark ${d.data?.bandSet}` : "Delivery performance next to reliability"} />
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
      {partial ? <div className="alert alert-warn" data-testid="dora-coverage">Data covers {w.coveredDays.toFixed(1)} of the {w.days} days{w.dataFrom ? ` (first record ${dateTime(Date.parse(w.dataFrom))})` : ""}; per-day figures divide by all {w.days} days.</div> : null}
      {m && m.deployments.total === 0 && m.incidents.opened === 0 ? <div className="card"><Empty title="No deployments in this scope">Send deployments with POST /api/v1/deployments or a GitHub/GitLab webhook.</Empty></div> : null}
      {m && f ? (
        <>
          <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(200px, 1fr))", marginBottom: 16 }}>
            {cards.map((k) => {
              const prom: Figure<number> | undefined = pf?.[k.key];
              return (
                <div className="card" key={k.label} data-testid={`dora-${k.label.replace(/\W+/g, "-").toLowerCase()}`}>
                  <div className="stat-label">{k.label}</div>
                  <div className="stat"><FigureText figure={f[k.key]} format={k.format} /></div>
                  <div className="muted">{k.sub}</div>
                  <div style={{ marginTop: 8 }}>
                    {k.level ? <Badge tone={levelTone(k.level)}>{k.level}</Badge> : null}{" "}
                    {prom ? <span className="muted" title="the same figure from PromQL over /api/metrics, at the window end">PromQL: <FigureText figure={prom} format={k.promFormat} /></span> : null}
                  </div>
                </div>
              );
            })}
          </div>
          <div className="grid grid-2">
            <div className="card">
              <h2>Deployments per week</h2>
              <div style={{ height: 220 }}>
                <ResponsiveContainer>
                  <BarChart data={d.data?.trend ?? []}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#eef1f6" />
                    <XAxis dataKey="weekStart" tickFormatter={(v: number) => utcDay(v)} />
                    <YAxis allowDecimals={false} />
                    <Tooltip labelFormatter={(v) => `7 days from ${utcDay(Number(v))} (UTC)`} />
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
                  <thead><tr><th>Service</th><th>Deploys/day</th><th>Lead time (median)</th><th>Change failure rate</th><th>Recovery (median)</th><th>Time to restore (median)</th><th>Rework</th></tr></thead>
                  <tbody>{Object.entries(d.data?.byService ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([s, x]) => (
                    <tr key={s}><td>{s}</td><td className="mono"><FigureText figure={x.figures.deploymentsPerDay} format={(v) => v.toFixed(2)} /></td><td><FigureText figure={x.figures.leadTimeMedianSeconds} format={humanDuration} /></td><td><FigureText figure={x.figures.changeFailureRate} format={(v) => pct(v)} /></td><td><FigureText figure={x.figures.recoveryMedianSeconds} format={humanDuration} /></td><td><FigureText figure={x.figures.timeToRestoreMedianSeconds} format={humanDuration} /></td><td><FigureText figure={x.figures.reworkRate} format={(v) => pct(v)} /></td></tr>
                  ))}</tbody>
                </table>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
