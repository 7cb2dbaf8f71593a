"use client";
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { budgetExhausted, burn, burnAt, burnTone, byDuration, dateTime, pct } from "~/components/format";
import { Badge, BudgetCell, ErrorBox, Loading } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { Slo } from "~/lib/types";

type Detail = {
  prometheus: { configured: boolean; ok: boolean; url: string | null; error: string | null };
  period: { start: number; end: number; step: number; label: string };
  links: { grafana: string | null; logs: string | null; traces: string | null; prometheus: string | null };
  deployments: { id: string; at: number; version: string; sha: string; result: string; kind: string }[];
  incidents: { id: string; title: string; severity: string; openedAt: number; resolvedAt: number | null }[];
  live: null | {
    points: { t: number; errorRatio: number | null; budgetRemaining: number | null }[];
    burnRates: Record<string, number>;
    burnSeries: Record<string, { t: number; v: number }[]>;
    alertHistory: { alertname: string; severity: string; burnTier: string; from: number | null; to: number | null }[];
    budgetRemaining: number | null;
    exhausted: boolean;
    projectedExhaustion: number | null;
    figures?: { coverage: { partial: boolean; label: string } };
    alertHistoryNotRecorded?: { from: number; to: number }[];
  };
};

const COLORS = ["#e4572e", "#2f6fed", "#1f9d55", "#d98b00", "#8e44ad", "#16a2b8", "#7f8c8d", "#c0392b"];
const tick = (ms: number) => new Date(ms).toLocaleDateString(undefined, { month: "short", day: "numeric" });
const hourTick = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

export function SloLive({ slo }: { slo: Slo }) {
  const d = useApi<Detail>(["slo-live", slo.slug], `/api/v1/slos/${slo.slug}/live`, { refetchInterval: 30_000 });
  if (d.isLoading) return <div className="card"><Loading rows={6} label="Loading live status" /></div>;
  if (d.error) return <ErrorBox error={d.error} title="Could not load live status" />;
  const data = d.data;
  if (!data) return null;
  const live = data.live;
  const budgetTarget = 1 - slo.objective / 100;
  const windows = live ? byDuration(Object.keys(live.burnSeries)) : [];
  const burnRows = live ? mergeSeries(live.burnSeries) : [];
  const ratio = live ? ratioScale(live.points, budgetTarget) : null;
  return (
    <>
      {!data.prometheus.ok ? (
        <div className="alert alert-error" role="alert" data-testid="prometheus-error">
          <strong>Live data unavailable.</strong> {data.prometheus.error}
        </div>
      ) : null}
      <div className="grid grid-4">
        <div className="card"><div className="stat-label">Budget remaining</div><div className="stat" data-testid="budget-remaining" style={{ color: live?.exhausted || budgetExhausted(live?.budgetRemaining) ? "var(--bad)" : undefined }}>{pct(live?.budgetRemaining ?? null, 2)}</div><BudgetCell value={live?.budgetRemaining} digits={2} testId="budget-remaining-bar" figure={false} exhausted={live?.exhausted} /><div className="muted">{live?.exhausted ? "exhausted · " : ""}of {pct(budgetTarget, 3)} allowed errors over {slo.window}</div>{live?.figures?.coverage.partial ? <div className="muted" data-testid="budget-coverage" title="The period holds less data than its length">data for {live.figures.coverage.label}</div> : null}</div>
        <div className="card"><div className="stat-label">Burn rate (1h)</div><div className="stat"><Badge tone={burnTone(live ? burnAt(live.burnRates, "1h") : null)}>{burn(live ? burnAt(live.burnRates, "1h") : null)}</Badge></div><div className="muted">6h {burn(live ? burnAt(live.burnRates, "6h") : null)} · 3d {burn(live ? burnAt(live.burnRates, "3d") : null)}</div></div>
        <div className="card"><div className="stat-label">Projected exhaustion</div><div className="stat" style={{ fontSize: 18 }} data-testid="exhaustion">{live?.exhausted ? "Exhausted" : budgetExhausted(live?.budgetRemaining) ? "Below zero" : live?.projectedExhaustion ? dateTime(live.projectedExhaustion) : live?.budgetRemaining == null ? "—" : "Not at current burn"}</div><div className="muted">{!live?.exhausted && budgetExhausted(live?.budgetRemaining) ? "in the data so far; the period is not fully covered yet" : "at the current 1d burn rate"}</div></div>
        <div className="card"><div className="stat-label">Explore</div>
          <div className="btn-row" style={{ marginTop: 6 }}>
            {data.links.grafana ? <a className="btn" href={data.links.grafana} target="_blank" rel="noreferrer">Grafana</a> : null}
            {data.links.logs ? <a className="btn" href={data.links.logs} target="_blank" rel="noreferrer">Logs</a> : null}
            {data.links.traces ? <a className="btn" href={data.links.traces} target="_blank" rel="noreferrer">Traces</a> : null}
            {data.links.prometheus ? <a className="btn" href={data.links.prometheus} target="_blank" rel="noreferrer">Prometheus</a> : null}
            {!data.links.grafana && !data.links.prometheus ? <span className="muted">Set GRAFANA_URL for dashboard, Loki and Tempo links.</span> : null}
          </div>
        </div>
      </div>
      {live ? (
        <>
          <div className="card">
            <h2>Error budget burndown ({slo.window === "calendar-month" ? "this month" : `last ${slo.window}`})</h2>
            <div style={{ height: 260 }} data-testid="burndown-chart">
              <ResponsiveContainer>
                <AreaChart data={live.points} margin={{ left: 8, right: 16, top: 8, bottom: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
                  <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick} scale="time" />
                  <YAxis tickFormatter={(v: number) => `${Math.round(v * 100)}%`} domain={[(min: number) => Math.min(0, min), 1]} allowDataOverflow />
                  <Tooltip labelFormatter={(v) => dateTime(Number(v))} formatter={(v) => pct(Number(v), 2)} />
                  <ReferenceLine y={0} stroke="var(--bad)" strokeDasharray="4 4" />
                  {data.deployments.map((dep) => <ReferenceLine key={dep.id} x={dep.at} stroke={dep.kind === "unplanned" ? "#d98b00" : "#9aa5b8"} strokeDasharray="2 3" ifOverflow="discard" />)}
                  <Area type="monotone" dataKey="budgetRemaining" name="budget remaining" stroke="#2f6fed" fill="#dbe6fd" isAnimationActive={false} connectNulls />
                </AreaChart>
              </ResponsiveContainer>
            </div>
            <p className="muted">Dashed vertical lines are deployments ({data.deployments.length} in this period; amber = unplanned/hotfix).</p>
          </div>
          <div className="grid grid-2">
            <div className="card">
              <h2>SLI error ratio{ratio?.log ? <span className="muted" style={{ fontWeight: 400, fontSize: 12 }}> · log scale</span> : null}</h2>
              <div style={{ height: 220 }} data-testid="sli-chart" data-scale={ratio?.log ? "log" : "linear"}>
                <ResponsiveContainer>
                  <LineChart data={ratio?.points ?? []} margin={{ left: 8, right: 16, top: 8, bottom: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
                    <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={tick} scale="time" />
                    <YAxis scale={ratio?.log ? "log" : "auto"} domain={ratio?.domain ?? [0, "auto"]} allowDataOverflow tickFormatter={(v: number) => ratioTick(v)} width={64} />
                    <Tooltip labelFormatter={(v) => dateTime(Number(v))} formatter={(_v, _n, item) => pct((item.payload as { errorRatio: number | null }).errorRatio, 3)} />
                    <ReferenceLine y={budgetTarget} stroke="var(--bad)" strokeDasharray="4 4" ifOverflow="extendDomain" label={{ value: `objective (${pct(budgetTarget, 3)} errors)`, fontSize: 11, fill: "var(--bad)", position: "insideTopRight" }} />
                    {data.deployments.map((dep) => <ReferenceLine key={dep.id} x={dep.at} stroke="#c5ccd8" strokeDasharray="2 3" ifOverflow="discard" />)}
                    <Line type="monotone" dataKey="shown" name="error ratio" stroke="#e4572e" dot={false} isAnimationActive={false} connectNulls />
                  </LineChart>
                </ResponsiveContainer>
              </div>
            </div>
            <div className="card">
              <h2>Burn rate by window (24h)</h2>
              <div style={{ height: 220 }}>
                {burnRows.length ? (
                  <ResponsiveContainer>
                    <LineChart data={burnRows} margin={{ left: 8, right: 16, top: 8, bottom: 0 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
                      <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} tickFormatter={hourTick} scale="time" />
                      <YAxis scale="log" domain={[0.01, "auto"]} allowDataOverflow tickFormatter={(v: number) => `${v}×`} />
                      <Tooltip labelFormatter={(v) => dateTime(Number(v))} formatter={(v) => burn(Number(v))} />
                      {/* Recharts sorts legend items by name ("1d, 1h, 30m…"); keep the windows' time order. */}
                      <Legend itemSorter={(item) => windows.indexOf(String(item.dataKey ?? item.value))} />
                      <ReferenceLine y={14.4} stroke="var(--bad)" strokeDasharray="4 4" />
                      <ReferenceLine y={1} stroke="#9aa5b8" strokeDasharray="4 4" />
                      {windows.map((w, i) => <Line key={w} type="monotone" dataKey={w} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls />)}
                    </LineChart>
                  </ResponsiveContainer>
                ) : <p className="muted">No burn-rate samples yet; recording rules start producing data within a minute of the first push.</p>}
              </div>
            </div>
          </div>
          <div className="grid grid-2">
            <div className="card">
              <h2>Alert history</h2>
              {live.alertHistoryNotRecorded?.length ? <p className="muted" data-testid="alert-history-not-recorded">Alert history not recorded (backfilled data): {live.alertHistoryNotRecorded.map((r) => `${dateTime(r.from)} – ${dateTime(r.to)}`).join(", ")}</p> : null}
              {live.alertHistory.length === 0 ? <p className="muted">No burn-rate alerts fired in this period.</p> : (
                <table><thead><tr><th>Alert</th><th>Severity</th><th>From</th><th>To</th></tr></thead>
                  <tbody>{live.alertHistory.map((a, i) => <tr key={i}><td>{a.alertname} {a.burnTier ? <span className="muted">({a.burnTier})</span> : null}</td><td><Badge tone={a.severity === "page" ? "bad" : "warn"}>{a.severity}</Badge></td><td>{dateTime(a.from)}</td><td>{dateTime(a.to)}</td></tr>)}</tbody>
                </table>
              )}
            </div>
            <div className="card">
              <h2>Incidents and deployments</h2>
              {data.incidents.length === 0 && data.deployments.length === 0 ? <p className="muted">Nothing recorded in this period.</p> : null}
              <table><tbody>
                {data.incidents.slice(0, 6).map((i) => <tr key={i.id}><td><Badge tone={i.resolvedAt ? "default" : "bad"}>{i.resolvedAt ? "resolved" : "open"}</Badge></td><td>{i.title}</td><td className="muted">{dateTime(i.openedAt)}</td></tr>)}
                {data.deployments.slice(-6).reverse().map((dp) => <tr key={dp.id}><td><Badge tone={dp.result === "success" ? "ok" : "bad"}>{dp.result}</Badge></td><td className="mono">{dp.version} {dp.kind === "unplanned" ? <Badge tone="warn">rework</Badge> : null}</td><td className="muted">{dateTime(dp.at)}</td></tr>)}
              </tbody></table>
            </div>
          </div>
        </>
      ) : null}
    </>
  );
}

function mergeSeries(s: Record<string, { t: number; v: number }[]>): Record<string, number>[] {
  const byT = new Map<number, Record<string, number>>();
  for (const [w, pts] of Object.entries(s)) for (const p of pts) byT.set(p.t, { ...(byT.get(p.t) ?? { t: p.t }), [w]: Math.max(0.01, p.v) });
  return [...byT.values()].sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
}

/**
 * The SLI error ratio often spans orders of magnitude (0.001 % on a quiet day, 6 % in an incident):
 * then the chart uses a log scale whose range always includes the objective line. Zeros are drawn at
 * the floor of the scale (a log axis has no 0); the tooltip shows the real value.
 */
function ratioScale(points: { t: number; errorRatio: number | null }[], objective: number): { log: boolean; domain: [number, number]; points: { t: number; errorRatio: number | null; shown: number | null }[] } {
  const pos = points.map((p) => p.errorRatio).filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  const lo = Math.min(objective, ...pos);
  const hi = Math.max(objective, ...pos);
  const log = pos.length > 0 && hi / lo >= 100;
  const floor = log ? 10 ** Math.floor(Math.log10(Math.min(lo, objective / 10))) : 0;
  const top = log ? 10 ** Math.ceil(Math.log10(hi * 1.01)) : hi * 1.2;
  const shown = (v: number | null) => (v === null || !Number.isFinite(v) ? null : log ? Math.max(floor, v) : v);
  return { log, domain: [floor, top], points: points.map((p) => ({ t: p.t, errorRatio: p.errorRatio, shown: shown(p.errorRatio) })) };
}

function ratioTick(v: number): string {
  if (v === 0) return "0%";
  const p = v * 100;
  return p >= 1 ? `${p.toFixed(0)}%` : `${Number(p.toPrecision(2))}%`;
}
