import type { DoraDeployment, DoraIncident } from "@burnrate/domain";

export const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WEIRD_TEAM = 'ops "night" \\ shift';
/**
 * service → team. Besides the three busy services: `legacy` deploys without commit data (lead time
 * is no data), `pager` only has incidents (deployment ratios are no data), and `gone` (team
 * `ghost`) is in the history but deleted before the live scrape (`liveRows` drops it).
 */
export const SEED_TEAMS: Record<string, string> = { checkout: "payments", search: "discovery", auth: WEIRD_TEAM, legacy: "platform", pager: "oncall", gone: "ghost" };
export const DELETED_SERVICE = "gone";

/**
 * A seeded 30-day history whose shape does not depend on the hour it is generated at. It ends at
 * `end`, the last UTC midnight at or before `now` minus one day, and every event of the history is
 * strictly inside [end − 30d, end); the DORA window is [end − 28d, end). A few events fall in
 * [end, end + 12h), before `now` at any hour, so only the live scrape sees them. No incident links
 * straddle the window start (see computeDora: PromQL counts failures when recognised).
 */
export function seedHistory(now: number, seed = 42): { deployments: DoraDeployment[]; incidents: DoraIncident[]; end: number } {
  const r = rng(seed);
  const end = Math.floor(now / DAY) * DAY - DAY;
  const windowStart = end - 28 * DAY;
  const start = end - 30 * DAY;
  const deployments: DoraDeployment[] = [];
  const incidents: DoraIncident[] = [];
  const hex = () => Math.floor(r() * 0xfffffff).toString(16).padStart(7, "0");
  // Inside the history, or inside the live-only tail [end, end + 12h); nothing later.
  const inRange = (t: number, day: number) => (day < 30 ? t < end : t < end + 12 * HOUR);
  let n = 0;
  for (const service of ["checkout", "search", "auth"]) {
    const rate = service === "checkout" ? 2.5 : service === "search" ? 0.8 : 0.3;
    for (let day = 0; day < 31; day++) {
      const dayStart = start + day * DAY;
      const count = Math.floor(r() * rate * 2 + (r() < 0.3 ? 0 : 0.5));
      for (let k = 0; k < count; k++) {
        const finished = dayStart + Math.floor(r() * DAY);
        const p = r();
        const result = p < 0.82 ? "success" : p < 0.93 ? "failure" : "rolled_back";
        const kind = r() < 0.15 ? "unplanned" : "planned";
        const commits = Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({
          sha: hex(),
          committedAt: new Date(finished - Math.floor(10 * MIN + r() * r() * 20 * DAY)).toISOString(),
        }));
        const linked = r() < 0.12;
        const opened = finished + 30 * MIN + Math.floor(r() * 3 * HOUR);
        const resolved = opened + 20 * MIN + Math.floor(r() * r() * 2 * DAY);
        if (!inRange(finished, day)) continue;
        const id = `dep-${++n}`;
        deployments.push({ id, service, environment: r() < 0.1 ? "staging" : "production", finishedAt: new Date(finished).toISOString(), startedAt: new Date(finished - 5 * MIN).toISOString(), result, kind, commits, sha: commits[0]!.sha });
        const straddles = finished < windowStart && finished > windowStart - 12 * HOUR;
        if (result === "success" && linked && !straddles && inRange(opened, day)) {
          incidents.push({
            id: `inc-${++n}`, service, openedAt: new Date(opened).toISOString(),
            resolvedAt: inRange(resolved, day) ? new Date(resolved).toISOString() : null,
            causedByDeploymentId: id,
          });
        }
      }
      if (r() < 0.08) {
        const opened = dayStart + Math.floor(r() * DAY);
        const resolved = opened + 5 * MIN + Math.floor(r() * 6 * HOUR);
        if (inRange(opened, day)) incidents.push({ id: `inc-${++n}`, service, openedAt: new Date(opened).toISOString(), resolvedAt: inRange(resolved, day) ? new Date(resolved).toISOString() : null });
      }
    }
  }
  // Deployments without commit data, every third day at 10:00 (two of them fail).
  for (let day = 1; day < 30; day += 3) {
    const finished = start + day * DAY + 10 * HOUR;
    deployments.push({ id: `dep-${++n}`, service: "legacy", environment: "production", finishedAt: new Date(finished).toISOString(), result: day % 9 === 1 ? "failure" : "success", kind: "planned", commits: [] });
  }
  // Incidents only, every fifth day, resolved after 90 min (the last one stays open).
  for (let day = 2; day < 30; day += 5) {
    const opened = start + day * DAY + 8 * HOUR;
    incidents.push({ id: `inc-${++n}`, service: "pager", openedAt: new Date(opened).toISOString(), resolvedAt: day < 27 ? new Date(opened + 90 * MIN).toISOString() : null });
  }
  // A service deleted later: its history is backfilled, the database no longer has it.
  for (let day = 3; day < 30; day += 4) {
    const finished = start + day * DAY + 14 * HOUR;
    const id = `dep-${++n}`;
    deployments.push({ id, service: DELETED_SERVICE, environment: "production", finishedAt: new Date(finished).toISOString(), result: "success", kind: "planned", commits: [{ sha: hex(), committedAt: new Date(finished - 3 * HOUR).toISOString() }] });
    if (day % 8 === 3) incidents.push({ id: `inc-${++n}`, service: DELETED_SERVICE, openedAt: new Date(finished + HOUR).toISOString(), resolvedAt: new Date(finished + 2 * HOUR).toISOString(), causedByDeploymentId: id });
  }
  return { deployments, incidents, end };
}

/** The rows as the database holds them now: the deleted service's rows went with it (cascade). */
export function liveRows(rows: { deployments: DoraDeployment[]; incidents: DoraIncident[] }) {
  return { deployments: rows.deployments.filter((d) => d.service !== DELETED_SERVICE), incidents: rows.incidents.filter((i) => i.service !== DELETED_SERVICE) };
}
