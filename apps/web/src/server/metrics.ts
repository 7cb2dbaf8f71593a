import "server-only";
import { BURNRATE_METRICS as M } from "@burnrate/domain";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Burnrate's own metrics (prom-client), served at /api/metrics/burnrate and read by the meta-alert
 * rules of `burnrate-meta.yml`. One registry per process, on globalThis: route handlers and the
 * reconciler (instrumentation.ts) are separate bundles in a production build.
 */
function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "burnrate_process_" });
  const lastSuccess = new Map<string, number>();
  const metrics = {
    registry,
    lastSuccess,
    /** Process start (Unix seconds): "since last success" counts from here until a first success. */
    started: Date.now() / 1000,
    pushAttempts: new Counter({ name: M.pushAttempts, help: "Push attempts per target.", labelNames: ["target", "kind"], registers: [registry] }),
    pushFailures: new Counter({ name: M.pushFailures, help: "Failed pushes per target and failing stage.", labelNames: ["target", "kind", "stage"], registers: [registry] }),
    lastPushSuccess: new Gauge({ name: M.lastPushSuccess, help: "Unix time of the last successful push per target.", labelNames: ["target", "kind"], registers: [registry] }),
    secondsSinceSuccess: new Gauge({
      name: M.secondsSinceSuccess,
      help: "Seconds since the last successful push per target (since process start when none yet).",
      labelNames: ["target", "kind"],
      registers: [registry],
      collect() {
        const now = Date.now() / 1000;
        for (const [k, t] of lastSuccess) {
          const [target, kind] = k.split("\u0000");
          this.set({ target, kind }, Math.max(0, now - t));
        }
      },
    }),
    targetFailing: new Gauge({ name: M.targetFailing, help: "1 while the target's last push or status check failed.", labelNames: ["target", "kind"], registers: [registry] }),
    quarantinedSlos: new Gauge({ name: M.quarantinedSlos, help: "SLOs whose rules are not deployed to the target (their last good rules stay live).", labelNames: ["target", "kind"], registers: [registry] }),
    heldPushes: new Gauge({ name: M.heldPushes, help: "1 while a push that would remove many SLO rules waits for an administrator.", labelNames: ["target", "kind"], registers: [registry] }),
    reconcileDuration: new Histogram({ name: M.reconcileDuration, help: "Duration of a reconcile pass over every target.", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [registry] }),
    reconcileLastRun: new Gauge({ name: M.reconcileLastRun, help: "Unix time the last reconcile pass finished.", registers: [registry] }),
    httpDuration: new Histogram({ name: M.httpDuration, help: "API request latency by route pattern, method and status.", labelNames: ["route", "method", "status"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
  };
  return metrics;
}

type Metrics = ReturnType<typeof create>;
export function metrics(): Metrics {
  const g = globalThis as unknown as { burnrateMetrics?: Metrics };
  return (g.burnrateMetrics ??= create());
}

/** Records the outcome of one push (or status check that failed) for a target. */
export function recordPush(target: { name: string; kind: string }, outcome: { ok: boolean; stage?: string; quarantined: number; held?: boolean }, at: Date): void {
  const m = metrics();
  const l = { target: target.name, kind: target.kind };
  m.pushAttempts.inc(l);
  if (outcome.ok) {
    m.lastPushSuccess.set(l, at.getTime() / 1000);
    m.lastSuccess.set(`${target.name}\u0000${target.kind}`, at.getTime() / 1000);
    m.targetFailing.set(l, 0);
  } else {
    m.pushFailures.inc({ ...l, stage: outcome.stage ?? "unknown" });
    m.targetFailing.set(l, 1);
    if (!m.lastSuccess.has(`${target.name}\u0000${target.kind}`)) m.lastSuccess.set(`${target.name}\u0000${target.kind}`, m.started);
  }
  m.quarantinedSlos.set(l, outcome.quarantined);
  m.heldPushes.set(l, outcome.held ? 1 : 0);
}

/** The target's state without a push (status checks, held pushes). */
export function recordTargetState(target: { name: string; kind: string }, s: { failing: boolean; quarantined: number; held: boolean }): void {
  const m = metrics();
  const l = { target: target.name, kind: target.kind };
  m.targetFailing.set(l, s.failing ? 1 : 0);
  m.quarantinedSlos.set(l, s.quarantined);
  m.heldPushes.set(l, s.held ? 1 : 0);
}

/** Route pattern of a request: path segments equal to a route parameter become `[name]`. */
export function routePattern(pathname: string, params: Record<string, unknown> | undefined): string {
  if (!params) return pathname;
  const byValue = new Map<string, string>();
  for (const [k, v] of Object.entries(params)) if (typeof v === "string" && v) byValue.set(encodeURIComponent(v), k);
  return pathname
    .split("/")
    .map((seg) => (byValue.has(seg) ? `[${byValue.get(seg)}]` : seg))
    .join("/");
}

/** Drops a deleted target's series, so its last state does not keep alerting. */
export function forgetTarget(target: { name: string; kind: string }): void {
  const m = metrics();
  const l = { target: target.name, kind: target.kind };
  for (const g of [m.lastPushSuccess, m.secondsSinceSuccess, m.targetFailing, m.quarantinedSlos, m.heldPushes]) g.remove(l);
  m.lastSuccess.delete(`${target.name}\u0000${target.kind}`);
}
