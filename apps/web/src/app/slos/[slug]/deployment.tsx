"use client";
import { dateTime } from "~/components/format";
import { useApi } from "~/lib/api-client";
import type { List } from "~/lib/types";

export type SloDeployment = { target: string; targetId: string; targetStatus: string; liveSince: string | null; notDeployedSince: string | null; reason: string | null; pending: string | null; lastSuccessAt: string | null };

/** One line per rule target: "rules live since T", "not deployed since T: reason", or why the latest change is not live yet. */
export function SloDeploymentStatus({ slug }: { slug: string }) {
  const d = useApi<List<SloDeployment>>(["slo-deployment", slug], `/api/v1/slos/${slug}/deployment`, { refetchInterval: 10_000 });
  // Keep the line's place while it loads, so the tabs below do not jump when it appears.
  if (!d.data) return <div data-testid="slo-deployment-loading" style={{ minHeight: 44, marginBottom: 12 }} aria-hidden />;
  if (d.data.items.length === 0) return null;
  return (
    <div data-testid="slo-deployment" style={{ marginBottom: 12 }}>
      {d.data.items.map((x) => (
        <div key={x.targetId} className={`alert ${x.reason ? "alert-error" : x.pending ? "alert-warn" : "alert-info"}`} data-testid={`slo-deployment-${x.target}`} style={{ marginBottom: 6 }}>
          <strong>{x.target}</strong>:{" "}
          {x.reason
            ? `not deployed since ${x.notDeployedSince ? dateTime(Date.parse(x.notDeployedSince)) : "?"}: ${x.reason}${x.liveSince ? ` (the rules live since ${dateTime(Date.parse(x.liveSince))} stay loaded)` : ""}`
            : x.liveSince
              ? `rules live since ${dateTime(Date.parse(x.liveSince))}${x.pending ? `; ${x.pending}` : ""}`
              : x.pending ?? "not deployed yet: waiting for the next push"}
        </div>
      ))}
    </div>
  );
}
