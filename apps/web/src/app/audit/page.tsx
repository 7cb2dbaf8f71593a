"use client";
import { Fragment, useState } from "react";
import { DataTable } from "~/components/crud";
import { dateTime } from "~/components/format";
import { Badge, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { useApi } from "~/lib/api-client";
import type { List } from "~/lib/types";

type Ev = { id: string; actor: string; action: string; entityType: string; entityId: string; entitySlug: string; before: unknown; after: unknown; createdAt: string };

export default function AuditPage() {
  const [entityType, setEntityType] = useState("");
  const [actor, setActor] = useState("");
  const [q, setQ] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const qs = new URLSearchParams({ ...(entityType ? { entityType } : {}), ...(actor ? { actor } : {}), ...(q ? { q } : {}) }).toString();
  const ev = useApi<List<Ev>>(["audit", qs], `/api/v1/audit${qs ? `?${qs}` : ""}`);
  return (
    <>
      <PageHead title="Audit log" subtitle="Every change and push: who, what, before and after." />
      <div className="card">
        <div className="filters">
          <select aria-label="Filter by type" value={entityType} onChange={(e) => setEntityType(e.target.value)}>
            <option value="">All objects</option>
            {["team", "service", "sli", "slo", "policy", "push_target", "incident", "deployment"].map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <input type="text" aria-label="Actor" placeholder="Actor" value={actor} onChange={(e) => setActor(e.target.value)} />
          <input type="text" aria-label="Search" placeholder="Search slug or action" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <ErrorBox error={ev.error} title="Could not load the audit log" />
        {ev.isLoading ? <Loading /> : null}
        {ev.data && ev.data.items.length === 0 ? <Empty title="No events match">Changes appear here as soon as they are made.</Empty> : null}
        {ev.data && ev.data.items.length > 0 ? (
          <DataTable head={["When", "Actor", "Action", "Object", ""]}>
            {ev.data.items.map((e) => (
              <Fragment key={e.id}>
                <tr data-testid="audit-row">
                  <td>{dateTime(Date.parse(e.createdAt))}</td>
                  <td>{e.actor}</td>
                  <td><Badge tone={e.action.endsWith("delete") ? "bad" : e.action.endsWith("create") ? "ok" : "info"}>{e.action}</Badge></td>
                  <td className="mono">{e.entityType}/{e.entitySlug || e.entityId.slice(0, 8)}</td>
                  <td><button className="btn" onClick={() => setOpen(open === e.id ? null : e.id)}>{open === e.id ? "Hide" : "Details"}</button></td>
                </tr>
                {open === e.id ? (
                  <tr><td colSpan={5}><div className="grid grid-2"><div><strong>Before</strong><pre className="code">{JSON.stringify(e.before, null, 2) ?? "—"}</pre></div><div><strong>After</strong><pre className="code">{JSON.stringify(e.after, null, 2) ?? "—"}</pre></div></div></td></tr>
                ) : null}
              </Fragment>
            ))}
          </DataTable>
        ) : null}
      </div>
    </>
  );
}
