import type { DeploymentKind, DeploymentResult } from "./schemas";

/**
 * Stored DORA records as the DB hands them to the pure computations. Timestamps may be `Date`,
 * ISO strings or epoch milliseconds. `id` is the DB id (incidents reference it).
 */
export type Timestamp = Date | string | number;

export interface DoraCommit {
  sha: string;
  authoredAt?: Timestamp | null;
  committedAt?: Timestamp | null;
}

export interface DoraDeployment {
  id: string;
  service: string;
  team?: string | null;
  environment: string;
  sha?: string;
  version?: string | null;
  commits?: DoraCommit[];
  startedAt?: Timestamp | null;
  finishedAt: Timestamp;
  result: DeploymentResult;
  kind: DeploymentKind;
  /** Incident ids this deployment caused (either side of the link may be recorded). */
  causedIncidentIds?: string[] | null;
}

export interface DoraIncident {
  id: string;
  service: string;
  team?: string | null;
  openedAt: Timestamp;
  resolvedAt?: Timestamp | null;
  causedByDeploymentId?: string | null;
}

export interface DoraEventOptions {
  /** service → team; used when a record carries no team. Unknown teams become `unassigned`. */
  teams?: Record<string, string>;
  /** Lead time starts at the commit's committedAt (default) or authoredAt; the other is the fallback. */
  leadTimeFrom?: "committed" | "authored";
}

export const UNASSIGNED_TEAM = "unassigned";
/** Incidents carry no environment; they are attributed to this one. */
export const INCIDENT_ENVIRONMENT = "production";

export function toMs(t: Timestamp): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === "number") return t;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`invalid timestamp: ${t}`);
  return ms;
}

function optMs(t: Timestamp | null | undefined): number | undefined {
  return t === null || t === undefined ? undefined : toMs(t);
}

/**
 * One observation in the event stream both `computeDora` and the Prometheus exporter are derived
 * from, so the DB figures and the exposed counters can never disagree on what happened when.
 * `t` is epoch ms; durations are seconds.
 */
export type DoraEvent =
  | { type: "deployment"; t: number; deploymentId: string; service: string; team: string; environment: string; result: DeploymentResult; kind: DeploymentKind }
  /** One per change (commit) at the finish of the first successful deployment that ships it. */
  | { type: "lead_time"; t: number; deploymentId: string; service: string; team: string; environment: string; sha: string; seconds: number }
  /** A deployment becomes failed when it finishes failed/rolled back, or when first linked to an incident. */
  | { type: "deployment_failed"; t: number; deploymentId: string; service: string; team: string; environment: string }
  | { type: "incident_opened"; t: number; incidentId: string; service: string; team: string }
  /** Time to restore: observed at incident resolution, resolvedAt − openedAt. */
  | { type: "restore"; t: number; incidentId: string; service: string; team: string; seconds: number }
  /** Failed deployment recovery: observed when the failure is recovered, recovery − deployment finish. */
  | { type: "recovery"; t: number; deploymentId: string; service: string; team: string; environment: string; seconds: number };

export interface FailureInfo {
  /** When the deployment became known as failed (epoch ms). */
  failedAt: number;
  /** When it recovered: last linked incident resolution, or the next successful deploy of the service. */
  recoveredAt?: number;
  /** Incidents linked to the deployment, with their open time. */
  incidentOpenTimes: number[];
}

/**
 * Resolves failure state for each deployment: failed results fail at finish; successful ones fail
 * when the first linked incident opens (links come from either `causedIncidentIds` or
 * `causedByDeploymentId`). Recovery = resolution of the last linked incident; if none is linked,
 * the next successful deployment of the same service and environment.
 */
export function resolveFailures(deployments: DoraDeployment[], incidents: DoraIncident[]): Map<string, FailureInfo> {
  const incidentById = new Map(incidents.map((i) => [i.id, i]));
  const linked = new Map<string, Set<DoraIncident>>();
  const link = (depId: string, inc: DoraIncident | undefined) => {
    if (!inc) return;
    let s = linked.get(depId);
    if (!s) linked.set(depId, (s = new Set()));
    s.add(inc);
  };
  const depIds = new Set(deployments.map((d) => d.id));
  for (const inc of incidents) if (inc.causedByDeploymentId && depIds.has(inc.causedByDeploymentId)) link(inc.causedByDeploymentId, inc);
  for (const d of deployments) for (const id of d.causedIncidentIds ?? []) link(d.id, incidentById.get(id));

  // successful deployments per service/env, sorted, to find "next successful deploy"
  const successes = new Map<string, number[]>();
  for (const d of deployments) {
    if (d.result !== "success") continue;
    const k = `${d.service}\u0000${d.environment}`;
    const arr = successes.get(k) ?? [];
    arr.push(toMs(d.finishedAt));
    successes.set(k, arr);
  }
  for (const arr of successes.values()) arr.sort((a, b) => a - b);

  const out = new Map<string, FailureInfo>();
  for (const d of deployments) {
    const finished = toMs(d.finishedAt);
    const incs = [...(linked.get(d.id) ?? [])];
    const opens = incs.map((i) => toMs(i.openedAt)).sort((a, b) => a - b);
    if (d.result === "success" && opens.length === 0) continue;
    const failedAt = d.result !== "success" ? finished : Math.max(finished, opens[0] ?? finished);
    let recoveredAt: number | undefined;
    if (incs.length > 0) {
      const resolved = incs.map((i) => optMs(i.resolvedAt));
      if (resolved.every((r) => r !== undefined)) recoveredAt = Math.max(...(resolved as number[]));
    } else {
      const arr = successes.get(`${d.service}\u0000${d.environment}`) ?? [];
      recoveredAt = arr.find((t) => t > finished);
    }
    if (recoveredAt !== undefined) recoveredAt = Math.max(recoveredAt, failedAt);
    out.set(d.id, { failedAt, recoveredAt, incidentOpenTimes: opens });
  }
  return out;
}

export function teamOf(rec: { service: string; team?: string | null }, opts: DoraEventOptions): string {
  return rec.team ?? opts.teams?.[rec.service] ?? UNASSIGNED_TEAM;
}

/** Builds the full, time-ordered event stream from the stored history. */
export function doraEvents(deployments: DoraDeployment[], incidents: DoraIncident[], opts: DoraEventOptions = {}): DoraEvent[] {
  const events: DoraEvent[] = [];
  const failures = resolveFailures(deployments, incidents);

  // Lead time: each (service, environment, sha) counts once, at its first successful deployment.
  const sorted = [...deployments].sort((a, b) => toMs(a.finishedAt) - toMs(b.finishedAt) || a.id.localeCompare(b.id));
  const shipped = new Set<string>();
  for (const d of sorted) {
    const t = toMs(d.finishedAt);
    const team = teamOf(d, opts);
    const base = { deploymentId: d.id, service: d.service, team, environment: d.environment };
    events.push({ type: "deployment", t, ...base, result: d.result, kind: d.kind });
    if (d.result === "success") {
      for (const c of d.commits ?? []) {
        const key = `${d.service}\u0000${d.environment}\u0000${c.sha}`;
        if (shipped.has(key)) continue;
        const primary = opts.leadTimeFrom === "authored" ? c.authoredAt : c.committedAt;
        const fallback = opts.leadTimeFrom === "authored" ? c.committedAt : c.authoredAt;
        const start = optMs(primary) ?? optMs(fallback);
        if (start === undefined) continue;
        const seconds = (t - start) / 1000;
        // fourkeys: non-positive lead times (automated pushes, clock skew) are excluded.
        if (seconds <= 0) continue;
        shipped.add(key);
        events.push({ type: "lead_time", t, ...base, sha: c.sha, seconds });
      }
    }
    const f = failures.get(d.id);
    if (f) {
      events.push({ type: "deployment_failed", t: f.failedAt, ...base });
      if (f.recoveredAt !== undefined) events.push({ type: "recovery", t: f.recoveredAt, ...base, seconds: (f.recoveredAt - t) / 1000 });
    }
  }
  for (const i of incidents) {
    const team = teamOf(i, opts);
    const opened = toMs(i.openedAt);
    events.push({ type: "incident_opened", t: opened, incidentId: i.id, service: i.service, team });
    const resolved = optMs(i.resolvedAt);
    if (resolved !== undefined) events.push({ type: "restore", t: resolved, incidentId: i.id, service: i.service, team, seconds: (resolved - opened) / 1000 });
  }
  return events.sort((a, b) => a.t - b.t);
}
