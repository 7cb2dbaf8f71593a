"use client";
import { TeamResourceSchema, fieldErrors, slugFromName } from "@burnrate/domain";
import { Fragment, useState } from "react";
import { DataTable, FormActions, RowActions, cls, useFieldErrors } from "~/components/crud";
import { TeamMembers } from "~/components/team-members";
import { Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { List, Policy, Team } from "~/lib/types";
import { useMe } from "~/lib/me";


const empty = { slug: "", name: "", description: "", defaultPolicy: "" };

export default function TeamsPage() {
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const perm = useMe();
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const [membersOf, setMembersOf] = useState<string | null>(null);
  const [form, setForm] = useState(empty);
  const fe = useFieldErrors();
  const save = useApiMutation(
    (v: Omit<typeof empty, "defaultPolicy"> & { defaultPolicy?: string | null; version?: number }) =>
      editing && editing !== "new" ? apiFetch(`/api/v1/teams/${editing.slug}`, { method: "PUT", body: v }) : apiFetch("/api/v1/teams", { method: "POST", body: v }),
    [["teams"]],
  );
  const del = useApiMutation((slug: string) => apiFetch(`/api/v1/teams/${slug}`, { method: "DELETE" }), [["teams"]]);

  const editingSlug = editing && editing !== "new" ? editing.slug : "";
  const policies = useApi<List<Policy>>(["policies", editingSlug], editingSlug ? `/api/v1/policies?team=${encodeURIComponent(editingSlug)}` : null);
  const open = (t: Team | "new") => {
    fe.clear();
    setEditing(t);
    setForm(t === "new" ? empty : { slug: t.slug, name: t.name, description: t.description, defaultPolicy: t.defaultPolicy ?? "" });
  };
  const set = (k: keyof typeof empty) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
    fe.fix(k, ...(k === "name" && editing === "new" && form.slug === slugFromName(form.name) ? ["slug"] : []));
    // A new team's slug follows its name until the slug is edited by hand.
    if (k === "name" && editing === "new" && form.slug === slugFromName(form.name)) setForm({ ...form, name: e.target.value, slug: slugFromName(e.target.value) });
    else setForm({ ...form, [k]: e.target.value });
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    fe.clear();
    const { defaultPolicy, ...rest } = form;
    const parsed = TeamResourceSchema.safeParse({ ...rest, ...(editing === "new" ? {} : { defaultPolicy: defaultPolicy || null }) });
    if (!parsed.success) {
      fe.setErrors(fieldErrors(parsed.error));
      fe.setFormError("Please fix the highlighted fields.");
      return;
    }
    save.mutate({ ...parsed.data, ...(editing && editing !== "new" ? { version: editing.version } : {}) }, { onSuccess: () => setEditing(null), onError: fe.fromError });
  };

  return (
    <>
      <PageHead title="Teams" subtitle="Teams own services, SLOs, error-budget policies and alert routing." actions={perm.isAdmin ? <button className="btn btn-primary" onClick={() => open("new")}>New team</button> : undefined} />
      {editing ? (
        <form className="card" onSubmit={submit} noValidate aria-label="Team form">
          <h2>{editing === "new" ? "New team" : `Edit ${editing.name}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            <Field label="Name" name="name" error={fe.errors.name}>
              <input id="name" type="text" value={form.name} className={cls(!!fe.errors.name)} onChange={set("name")} />
            </Field>
            <Field label="Slug" name="slug" error={fe.errors.slug} hint="Used in labels and URLs, e.g. payments">
              <input id="slug" type="text" value={form.slug} className={cls(!!fe.errors.slug)} onChange={set("slug")} />
            </Field>
          </div>
          <Field label="Description" name="description" error={fe.errors.description}>
            <textarea id="description" value={form.description} onChange={set("description")} />
          </Field>
          {editing !== "new" ? (
            <Field label="Default error-budget policy" name="defaultPolicy" error={fe.errors.defaultPolicy} hint="New SLOs of this team get this policy unless they name another.">
              <select id="defaultPolicy" value={form.defaultPolicy} onChange={set("defaultPolicy")}>
                <option value="">None</option>
                {policies.data?.items.map((p) => <option key={p.slug} value={p.slug}>{p.name}</option>)}
              </select>
            </Field>
          ) : null}
          <FormActions pending={save.isPending} label="Save team" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      <div className="card">
        <ErrorBox error={teams.error} title="Could not load teams" />
        <ErrorBox error={del.error} title="Could not delete" />
        {teams.isLoading ? <Loading /> : null}
        {teams.data && teams.data.items.length === 0 ? (
          <Empty title="No teams yet" action={perm.isAdmin ? <button className="btn btn-primary" onClick={() => open("new")}>Create the first team</button> : undefined}>
            Start by creating a team; services and SLOs belong to teams.
          </Empty>
        ) : null}
        {teams.data && teams.data.items.length > 0 ? (
          <DataTable head={["Name", "Slug", "Services", "Default policy", "Description", ""]}>
            {teams.data.items.map((t) => (
              <Fragment key={t.id}>
                <tr data-testid={`team-${t.slug}`}>
                  <td><strong>{t.name}</strong></td>
                  <td className="mono">{t.slug}</td>
                  <td>{t.serviceCount ?? 0}</td>
                  <td>{t.defaultPolicyName ?? <span className="muted">—</span>}</td>
                  <td className="muted">{t.description}</td>
                  <RowActions>
                    <button className="btn" aria-expanded={membersOf === t.slug} onClick={() => setMembersOf(membersOf === t.slug ? null : t.slug)}>Members</button>
                    {perm.me && (perm.isAdmin || perm.me.roles[t.slug] === "admin") ? <button className="btn" onClick={() => open(t)}>Edit</button> : null}
                    {perm.isAdmin ? <button className="btn btn-danger" onClick={() => confirm(`Delete team ${t.name}?`) && del.mutate(t.slug)}>Delete</button> : null}
                  </RowActions>
                </tr>
                {membersOf === t.slug ? (
                  <tr><td colSpan={6}><TeamMembers slug={t.slug} canManage={Boolean(perm.me && (perm.isAdmin || perm.me.roles[t.slug] === "admin"))} /></td></tr>
                ) : null}
              </Fragment>
            ))}
          </DataTable>
        ) : null}
      </div>
    </>
  );
}
