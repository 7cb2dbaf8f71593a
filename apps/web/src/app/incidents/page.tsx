"use client";
import { useState } from "react";
import { cls, useFieldErrors } from "~/components/crud";
import { dateTime } from "~/components/format";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import { useMe } from "~/lib/me";
import type { List, Service } from "~/lib/types";

type Incident = { id: string; service: string; title: string; severity: string; source: string; sloSlug: string | null; openedAt: string; resolvedAt: string | null; causedBy: { id: string; version: string; sha: string } | null };
type Deployment = { id: string; service: string; environment: string; version: string; sha: string; result: string; kind: string; finishedAt: string; source: string };

function local(d: Date): string {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

export default function IncidentsPage() {
  const [service, setService] = useState("");
  const qs = service ? `?service=${service}` : "";
  const incidents = useApi<List<Incident>>(["incidents", service], `/api/v1/incidents${qs}`, { refetchInterval: 30_000 });
  const deployments = useApi<List<Deployment>>(["deployments", service], `/api/v1/deployments${qs}`);
  const services = useApi<List<Service>>(["services", ""], "/api/v1/services");
  const perm = useMe();
  const teamOf = (s: string) => services.data?.items.find((x) => x.slug === s)?.team;
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ service: "", title: "", severity: "page", openedAt: local(new Date()) });
  const fe = useFieldErrors();
  const create = useApiMutation(() => apiFetch("/api/v1/incidents", { method: "POST", body: { ...form, source: "manual", openedAt: new Date(form.openedAt).toISOString() } }), [["incidents"]]);
  const resolve = useApiMutation((id: string) => apiFetch(`/api/v1/incidents/${id}/resolve`, { method: "POST", body: {} }), [["incidents"]]);
  return (
    <>
      <PageHead title="Incidents and deployments" subtitle="Incidents open from SLO pages (Alertmanager webhook) or by hand; each is linked to the deployment that likely caused it." actions={perm.canEditAny ? <button className="btn btn-primary" onClick={() => { fe.clear(); setOpen(!open); }}>{open ? "Cancel" : "Open incident"}</button> : undefined} />
      {open ? (
        <form className="card" noValidate onSubmit={(e) => { e.preventDefault(); fe.clear(); create.mutate(undefined, { onSuccess: () => setOpen(false), onError: fe.fromError }); }} aria-label="Incident form">
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            <Field label="Service" name="service" error={fe.errors.service}>
              <select id="service" value={form.service} className={cls(!!fe.errors.service)} onChange={(e) => setForm({ ...form, service: e.target.value })}>
                <option value="">Choose a service…</option>
                {services.data?.items.filter((s) => perm.canEdit(s.team)).map((s) => <option key={s.slug} value={s.slug}>{s.name}</option>)}
              </select>
            </Field>
            <Field label="Title" name="title" error={fe.errors.title}><input id="title" type="text" value={form.title} className={cls(!!fe.errors.title)} onChange={(e) => setForm({ ...form, title: e.target.value })} /></Field>
            <Field label="Severity" name="severity" error={fe.errors.severity}><select id="severity" value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}><option value="page">page</option><option value="ticket">ticket</option></select></Field>
            <Field label="Opened at" name="openedAt" error={fe.errors.openedAt}><input id="openedAt" type="datetime-local" value={form.openedAt} onChange={(e) => setForm({ ...form, openedAt: e.target.value })} /></Field>
          </div>
          <button className="btn btn-primary" type="submit" disabled={create.isPending}>Open incident</button>
        </form>
      ) : null}
      <div className="card">
        <div className="filters"><select aria-label="Filter by service" value={service} onChange={(e) => setService(e.target.value)}><option value="">All services</option>{services.data?.items.map((s) => <option key={s.slug} value={s.slug}>{s.name}</option>)}</select></div>
        <h2>Incidents</h2>
        <ErrorBox error={incidents.error} title="Could not load incidents" />
        <ErrorBox error={resolve.error} title="Could not resolve" />
        {incidents.isLoading ? <Loading /> : null}
        {incidents.data && incidents.data.items.length === 0 ? <Empty title="No incidents">Quiet times.</Empty> : null}
        {incidents.data && incidents.data.items.length > 0 ? (
          <div className="table-wrap"><table>
            <thead><tr><th>Status</th><th>Incident</th><th>Service</th><th>Opened</th><th>Restored after</th><th>Caused by</th><th /></tr></thead>
            <tbody>{incidents.data.items.map((i) => (
              <tr key={i.id}>
                <td><Badge tone={i.resolvedAt ? "default" : "bad"}>{i.resolvedAt ? "resolved" : "open"}</Badge></td>
                <td>{i.title}<div className="muted">{i.source}{i.sloSlug ? ` · ${i.sloSlug}` : ""}</div></td>
                <td>{i.service}</td>
                <td>{dateTime(Date.parse(i.openedAt))}</td>
                <td>{i.resolvedAt ? `${((Date.parse(i.resolvedAt) - Date.parse(i.openedAt)) / 3600000).toFixed(1)} h` : "—"}</td>
                <td className="mono">{i.causedBy ? (i.causedBy.version || i.causedBy.sha.slice(0, 7)) : <span className="muted">—</span>}</td>
                <td>{!i.resolvedAt && perm.canEdit(teamOf(i.service)) ? <button className="btn" onClick={() => resolve.mutate(i.id)}>Resolve</button> : null}</td>
              </tr>
            ))}</tbody>
          </table></div>
        ) : null}
      </div>
      <div className="card">
        <h2>Recent deployments</h2>
        <ErrorBox error={deployments.error} title="Could not load deployments" />
        {deployments.data && deployments.data.items.length === 0 ? <Empty title="No deployments yet">Send them with POST /api/v1/deployments or a GitHub/GitLab webhook.</Empty> : null}
        {deployments.data && deployments.data.items.length > 0 ? (
          <div className="table-wrap"><table>
            <thead><tr><th>Finished</th><th>Service</th><th>Version</th><th>Result</th><th>Kind</th><th>Source</th></tr></thead>
            <tbody>{deployments.data.items.slice(0, 50).map((d) => (
              <tr key={d.id}><td>{dateTime(Date.parse(d.finishedAt))}</td><td>{d.service}</td><td className="mono">{d.version || d.sha.slice(0, 7)}</td><td><Badge tone={d.result === "success" ? "ok" : "bad"}>{d.result}</Badge></td><td>{d.kind === "unplanned" ? <Badge tone="warn">rework</Badge> : "planned"}</td><td>{d.source}</td></tr>
            ))}</tbody>
          </table></div>
        ) : null}
      </div>
    </>
  );
}
