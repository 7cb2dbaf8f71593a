"use client";
import { ServiceSpecSchema, fieldErrors } from "@burnrate/domain";
import Link from "next/link";
import { useState } from "react";
import { DataTable, FormActions, RowActions, cls, useFieldErrors } from "~/components/crud";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead, tierTone } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { List, Service, Team } from "~/lib/types";
import { useMe } from "~/lib/me";


type Form = { slug: string; name: string; team: string; tier: string; owner: string; runbookUrl: string; repoUrl: string; description: string };
const empty: Form = { slug: "", name: "", team: "", tier: "medium", owner: "", runbookUrl: "", repoUrl: "", description: "" };

export default function ServicesPage() {
  const [team, setTeam] = useState("");
  const services = useApi<List<Service>>(["services", team], `/api/v1/services${team ? `?team=${encodeURIComponent(team)}` : ""}`);
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const perm = useMe();
  const [editing, setEditing] = useState<Service | "new" | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const fe = useFieldErrors();
  const save = useApiMutation(
    (v: Form & { version?: number }) =>
      editing && editing !== "new" ? apiFetch(`/api/v1/services/${editing.slug}`, { method: "PUT", body: v }) : apiFetch("/api/v1/services", { method: "POST", body: v }),
    [["services"], ["teams"]],
  );
  const del = useApiMutation((slug: string) => apiFetch(`/api/v1/services/${slug}`, { method: "DELETE" }), [["services"]]);

  const open = (s: Service | "new") => {
    fe.clear();
    setEditing(s);
    setForm(s === "new" ? { ...empty, team: teams.data?.items[0]?.slug ?? "" } : { slug: s.slug, name: s.name, team: s.team, tier: s.tier, owner: s.owner, runbookUrl: s.runbookUrl, repoUrl: s.repoUrl, description: s.description });
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    fe.clear();
    const parsed = ServiceSpecSchema.safeParse(form);
    if (!parsed.success) {
      fe.setErrors(fieldErrors(parsed.error));
      fe.setFormError("Please fix the highlighted fields.");
      return;
    }
    save.mutate({ ...form, ...(editing && editing !== "new" ? { version: editing.version } : {}) }, { onSuccess: () => setEditing(null), onError: fe.fromError });
  };
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <PageHead title="Services" subtitle="What your teams run. Each service has SLIs and SLOs." actions={<button className="btn btn-primary" onClick={() => open("new")} disabled={!teams.data?.items.length || !perm.canEditAny}>New service</button>} />
      {editing ? (
        <form className="card" onSubmit={submit} noValidate aria-label="Service form">
          <h2>{editing === "new" ? "New service" : `Edit ${editing.name}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            <Field label="Name" name="name" error={fe.errors.name}><input id="name" type="text" value={form.name} className={cls(!!fe.errors.name)} onChange={set("name")} /></Field>
            <Field label="Slug" name="slug" error={fe.errors.slug} hint="e.g. checkout-api"><input id="slug" type="text" value={form.slug} className={cls(!!fe.errors.slug)} onChange={set("slug")} /></Field>
          </div>
          <div className="row">
            <Field label="Team" name="team" error={fe.errors.team}>
              <select id="team" value={form.team} onChange={set("team")} className={cls(!!fe.errors.team)}>
                <option value="">Choose a team…</option>
                {teams.data?.items.filter((t) => perm.canEdit(t.slug)).map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
              </select>
            </Field>
            <Field label="Tier" name="tier" error={fe.errors.tier} hint="Critical services page faster and get stricter defaults.">
              <select id="tier" value={form.tier} onChange={set("tier")}>
                {["critical", "high", "medium", "low"].map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            </Field>
            <Field label="Owner" name="owner" error={fe.errors.owner}><input id="owner" type="text" value={form.owner} onChange={set("owner")} /></Field>
          </div>
          <div className="row">
            <Field label="Runbook URL" name="runbookUrl" error={fe.errors.runbookUrl}><input id="runbookUrl" type="url" value={form.runbookUrl} className={cls(!!fe.errors.runbookUrl)} onChange={set("runbookUrl")} /></Field>
            <Field label="Repository URL" name="repoUrl" error={fe.errors.repoUrl}><input id="repoUrl" type="url" value={form.repoUrl} className={cls(!!fe.errors.repoUrl)} onChange={set("repoUrl")} /></Field>
          </div>
          <Field label="Description" name="description" error={fe.errors.description}><textarea id="description" value={form.description} onChange={set("description")} /></Field>
          <FormActions pending={save.isPending} label="Save service" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      <div className="card">
        <div className="filters">
          <select aria-label="Filter by team" value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
          </select>
        </div>
        <ErrorBox error={services.error} title="Could not load services" />
        <ErrorBox error={del.error} title="Could not delete" />
        {services.isLoading ? <Loading /> : null}
        {services.data && services.data.items.length === 0 ? (
          <Empty title="No services yet" action={teams.data?.items.length ? <button className="btn btn-primary" onClick={() => open("new")}>Add a service</button> : <Link className="btn btn-primary" href="/teams">Create a team first</Link>}>
            Services group the SLIs and SLOs of one thing you run.
          </Empty>
        ) : null}
        {services.data && services.data.items.length > 0 ? (
          <DataTable head={["Service", "Team", "Tier", "Owner", "SLIs", "Links", ""]}>
            {services.data.items.map((s) => (
              <tr key={s.id} data-testid={`service-${s.slug}`}>
                <td><strong>{s.name}</strong><div className="muted mono">{s.slug}</div></td>
                <td>{s.teamName}</td>
                <td><Badge tone={tierTone(s.tier)}>{s.tier}</Badge></td>
                <td>{s.owner || <span className="muted">—</span>}</td>
                <td><Link href={`/slis?service=${s.slug}`}>{s.sliCount ?? 0}</Link></td>
                <td>{s.runbookUrl ? <a href={s.runbookUrl} target="_blank" rel="noreferrer">runbook</a> : null} {s.repoUrl ? <a href={s.repoUrl} target="_blank" rel="noreferrer">repo</a> : null}</td>
                <RowActions>
                  {perm.canEdit(s.team) ? <button className="btn" onClick={() => open(s)}>Edit</button> : null}
                  {perm.canEdit(s.team) ? <button className="btn btn-danger" onClick={() => confirm(`Delete service ${s.name}?`) && del.mutate(s.slug)}>Delete</button> : null}
                </RowActions>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </div>
    </>
  );
}
