"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { Badge, ErrorBox, Loading, PageHead, tierTone } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { Slo } from "~/lib/types";
import { useMe } from "~/lib/me";

import { SloArtifacts } from "./artifacts";
import { SloDeploymentStatus } from "./deployment";
import { SloLive } from "./live";

export default function SloPage() {
  const { slug } = useParams<{ slug: string }>();
  const router = useRouter();
  const slo = useApi<Slo>(["slo", slug], `/api/v1/slos/${slug}`);
  const [tab, setTab] = useState<"status" | "definition" | "generated">("status");
  const del = useApiMutation(() => apiFetch(`/api/v1/slos/${slug}`, { method: "DELETE" }), [["slos"]]);
  const s = slo.data;
  const perm = useMe();
  return (
    <>
      <PageHead
        title={s ? s.name : "SLO"}
        subtitle={s ? <>{s.serviceName} · {s.teamName} · <span className="mono">{s.objective}%</span> over {s.window === "calendar-month" ? "the calendar month" : s.window}</> : undefined}
        actions={s && perm.canEdit(s.team) ? (
          <>
            <Link className="btn" href={`/slos/${slug}/edit`}>Edit</Link>
            <button className="btn btn-danger" onClick={() => confirm(`Delete SLO ${s.name}? Its rules and alerts are removed on the next push.`) && del.mutate(undefined, { onSuccess: () => router.push("/slos") })}>Delete</button>
          </>
        ) : undefined}
      />
      <ErrorBox error={slo.error} title="Could not load the SLO" />
      <ErrorBox error={del.error} title="Could not delete" />
      {slo.isLoading ? <Loading /> : null}
      {s ? (
        <>
          <SloDeploymentStatus slug={s.slug} />
          <div className="tabs" role="tablist">
            {(["status", "definition", "generated"] as const).map((t) => (
              <button key={t} role="tab" aria-selected={tab === t} className={`tab ${tab === t ? "active" : ""}`} onClick={() => setTab(t)}>
                {t === "status" ? "Status" : t === "definition" ? "Definition" : "Generated rules"}
              </button>
            ))}
          </div>
          {tab === "status" ? <SloLive slo={s} /> : null}
          {tab === "definition" ? (
            <div className="card">
              <dl className="kv">
                <dt>Slug</dt><dd className="mono">{s.slug}</dd>
                <dt>Service</dt><dd>{s.serviceName} <Badge tone={tierTone(s.tier)}>{s.tier}</Badge></dd>
                <dt>Team</dt><dd>{s.teamName}</dd>
                <dt>SLI</dt><dd>{s.sliName} <Badge tone="info">{s.sliKind}</Badge></dd>
                <dt>Objective</dt><dd className="mono">{s.objective}%</dd>
                <dt>Window</dt><dd>{s.window}</dd>
                <dt>Budgeting</dt><dd>{s.budgetingMethod}</dd>
                <dt>Alerting</dt><dd>{s.alerting.enabled === false ? "disabled" : `${s.alerting.page !== false ? "page" : ""} ${s.alerting.ticket !== false ? "ticket" : ""}`}{s.alerting.minEvents ? ` · min ${s.alerting.minEvents} events` : ""}</dd>
                <dt>Policy</dt><dd>{s.policyName ?? "—"}</dd>
                <dt>Version</dt><dd>{s.version}</dd>
                <dt>Description</dt><dd>{s.description || "—"}</dd>
              </dl>
              <h2 style={{ marginTop: 16 }}>SLI spec</h2>
              <pre className="code">{JSON.stringify(s.sliSpec, null, 2)}</pre>
            </div>
          ) : null}
          {tab === "generated" ? <SloArtifacts slug={s.slug} /> : null}
        </>
      ) : null}
    </>
  );
}
