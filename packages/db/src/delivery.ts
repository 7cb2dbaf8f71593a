import type { DoraDeployment, DoraIncident } from "@burnrate/domain";
import type { Db } from "./client";

/**
 * Deployments and incidents as the DORA computations take them (service and team slugs instead of
 * ids), plus the service → team map. Used by the app (/api/metrics, the DORA view) and by the demo
 * launcher, which backfills the same series into Prometheus so PromQL and database figures agree.
 */
export async function loadDoraRows(db: Db): Promise<{ deployments: DoraDeployment[]; incidents: DoraIncident[]; teams: Record<string, string>; services: { service: string; team: string }[] }> {
  const services = await db.service.findMany({ include: { team: true } });
  const teams: Record<string, string> = Object.fromEntries(services.map((s) => [s.slug, s.team.slug]));
  const deps = await db.deployment.findMany({ include: { service: true } });
  const incs = await db.incident.findMany({ include: { service: true } });
  return {
    teams,
    services: services.map((s) => ({ service: s.slug, team: s.team.slug })),
    deployments: deps.map((d) => ({
      id: d.id, service: d.service.slug, team: teams[d.service.slug], environment: d.environment, sha: d.sha, version: d.version,
      commits: (d.commits as { sha: string; committedAt?: string; authoredAt?: string }[] | null) ?? [], startedAt: d.startedAt, finishedAt: d.finishedAt,
      // Stored as text; the API and webhooks only write these values (zod at the boundary).
      result: d.result as DoraDeployment["result"], kind: d.kind as DoraDeployment["kind"],
    })),
    incidents: incs.map((i) => ({ id: i.id, service: i.service.slug, team: teams[i.service.slug], openedAt: i.openedAt, resolvedAt: i.resolvedAt, causedByDeploymentId: i.causedByDeploymentId })),
  };
}
