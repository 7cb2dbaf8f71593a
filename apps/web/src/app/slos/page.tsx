"use client";
import Link from "next/link";
import { useState } from "react";
import { DataTable, useRowLimit } from "~/components/crud";
import { Badge, Empty, ErrorBox, Loading, PageHead, tierTone } from "~/components/ui";
import { ImportExport } from "~/components/import-export";
import { useApi } from "~/lib/api-client";
import type { List, Slo, Team } from "~/lib/types";
import { useMe } from "~/lib/me";


export default function SlosPage() {
  const [team, setTeam] = useState("");
  const slos = useApi<List<Slo>>(["slos", team], `/api/v1/slos${team ? `?team=${encodeURIComponent(team)}` : ""}`);
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const perm = useMe();
  const rows = useRowLimit(100);
  return (
    <>
      <PageHead title="SLOs" subtitle="Objectives, windows and alerting for every service." actions={perm.canEditAny ? <Link className="btn btn-primary" href="/slos/new">New SLO</Link> : undefined} />
      <ImportExport canImport={perm.canEditAny} onImported={() => void slos.refetch()} />
      <div className="card">
        <div className="filters">
          <select aria-label="Filter by team" value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
          </select>
        </div>
        <ErrorBox error={slos.error} title="Could not load SLOs" />
        {slos.isLoading ? <Loading /> : null}
        {slos.data && slos.data.items.length === 0 ? (
          <Empty title="No SLOs yet" action={<Link className="btn btn-primary" href="/slos/new">Create an SLO</Link>}>Define an objective for an SLI and Burnrate generates the rules and alerts.</Empty>
        ) : null}
        {slos.data && slos.data.items.length > 0 ? (
          <DataTable head={["SLO", "Service", "Team", "Objective", "Window", "SLI", "Policy"]}>
            {rows.take(slos.data.items).map((s) => (
              <tr key={s.id} data-testid={`slo-${s.slug}`}>
                <td><Link href={`/slos/${s.slug}`}><strong>{s.name}</strong></Link><div className="muted mono">{s.slug}</div></td>
                <td>{s.serviceName} <Badge tone={tierTone(s.tier)}>{s.tier}</Badge></td>
                <td>{s.teamName}</td>
                <td className="mono">{s.objective}%</td>
                <td>{s.window}</td>
                <td><Badge tone="info">{s.sliKind}</Badge></td>
                <td>{s.policyName ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </DataTable>
        ) : null}
        {slos.data ? rows.footer(slos.data.items.length) : null}
      </div>
    </>
  );
}
