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
export const SEED_TEAMS: Record<string, string> = { checkout: "payments", search: "discovery", auth: WEIRD_TEAM };

/**
 * A seeded 30-day history ending at `now`. `midnight` is the UTC midnight the DORA window ends at;
 * the window is [midnight − 28d, midnight). No incident links straddle the window start (see
 * computeDora: PromQL counts failures when recognised), and there are a few events after midnight
 * that only the live scrape sees.
 */
export function seedHistory(now: number, seed = 42): { deployments: DoraDeployment[]; incidents: DoraIncident[]; midnight: number } {
  const r = rng(seed);
  const midnight = Math.floor(now / DAY) * DAY;
  const windowStart = midnight - 28 * DAY;
  const start = midnight - 30 * DAY;
  const deployments: DoraDeployment[] = [];
  const incidents: DoraIncident[] = [];
  const hex = () => Math.floor(r() * 0xfffffff).toString(16).padStart(7, "0");
  let n = 0;
  for (const service of Object.keys(SEED_TEAMS)) {
    const rate = service === "checkout" ? 2.5 : service === "search" ? 0.8 : 0.3;
    for (let day = 0; day < 31; day++) {
      const dayStart = start + day * DAY;
      const count = Math.floor(r() * rate * 2 + (r() < 0.3 ? 0 : 0.5));
      for (let k = 0; k < count; k++) {
        const finished = dayStart + Math.floor(r() * DAY);
        if (finished > now - 2 * MIN) continue;
        const p = r();
        const result = p < 0.82 ? "success" : p < 0.93 ? "failure" : "rolled_back";
        const kind = r() < 0.15 ? "unplanned" : "planned";
        const commits = Array.from({ length: 1 + Math.floor(r() * 4) }, () => ({
          sha: hex(),
          committedAt: new Date(finished - Math.floor(10 * MIN + r() * r() * 20 * DAY)).toISOString(),
        }));
        const id = `dep-${++n}`;
        deployments.push({ id, service, environment: r() < 0.1 ? "staging" : "production", finishedAt: new Date(finished).toISOString(), startedAt: new Date(finished - 5 * MIN).toISOString(), result, kind, commits, sha: commits[0]!.sha });
        const straddles = finished < windowStart && finished > windowStart - 12 * HOUR;
        if (result === "success" && r() < 0.12 && !straddles) {
          const opened = finished + 30 * MIN + Math.floor(r() * 3 * HOUR);
          const resolved = opened + 20 * MIN + Math.floor(r() * r() * 2 * DAY);
          incidents.push({
            id: `inc-${++n}`, service, openedAt: new Date(opened).toISOString(),
            resolvedAt: resolved < now - 2 * MIN ? new Date(resolved).toISOString() : null,
            causedByDeploymentId: id,
          });
        }
      }
      if (r() < 0.08) {
        const opened = dayStart + Math.floor(r() * DAY);
        if (opened < now - 5 * MIN) {
          const resolved = opened + 5 * MIN + Math.floor(r() * 6 * HOUR);
          incidents.push({ id: `inc-${++n}`, service, openedAt: new Date(opened).toISOString(), resolvedAt: resolved < now - 2 * MIN ? new Date(resolved).toISOString() : null });
        }
      }
    }
  }
  return { deployments, incidents, midnight };
}
