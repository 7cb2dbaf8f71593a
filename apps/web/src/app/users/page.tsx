"use client";
import { useState } from "react";
import { DataTable, FormActions, RowActions, cls, useFieldErrors } from "~/components/crud";
import { dateTime } from "~/components/format";
import { RoleEditor, type MembershipRow } from "~/components/role-editor";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import { useMe, useSsoRoleSync } from "~/lib/me";
import type { List, Team } from "~/lib/types";

type User = {
  id: string; email: string; name: string; isAdmin: boolean; disabled: boolean; sso: boolean; hasPassword: boolean;
  lastLoginAt: string | null; createdAt: string; apiTokens: number; roles: Record<string, MembershipRow["role"]>;
};
type Form = { email: string; name: string; password: string; isAdmin: boolean; memberships: MembershipRow[] };
const empty: Form = { email: "", name: "", password: "", isAdmin: false, memberships: [] };

export default function UsersPage() {
  const perm = useMe();
  const users = useApi<List<User>>(["users"], perm.isAdmin ? "/api/v1/users" : null);
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const { rolesFromGroups: groupsRule, ssoName } = useSsoRoleSync();
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const [filter, setFilter] = useState("");
  const fe = useFieldErrors();
  const save = useApiMutation(
    (f: Form) => {
      const memberships = f.memberships;
      if (editing === "new") return apiFetch("/api/v1/users", { method: "POST", body: { email: f.email, name: f.name, isAdmin: f.isAdmin, memberships, ...(f.password ? { password: f.password } : {}) } });
      if (!editing) throw new Error("nothing to save");
      return apiFetch(`/api/v1/users/${editing.id}`, { method: "PATCH", body: { name: f.name, isAdmin: f.isAdmin, memberships, ...(f.password ? { password: f.password } : {}) } });
    },
    [["users"], ["audit"]],
  );
  const toggle = useApiMutation((u: User) => apiFetch(`/api/v1/users/${u.id}`, { method: "PATCH", body: { disabled: !u.disabled } }), [["users"], ["audit"]]);

  const open = (u: User | "new") => {
    fe.clear();
    setEditing(u);
    setForm(u === "new" ? empty : { email: u.email, name: u.name, password: "", isAdmin: u.isAdmin, memberships: Object.entries(u.roles).map(([team, role]) => ({ team, role })) });
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    fe.clear();
    save.mutate(form, { onSuccess: () => setEditing(null), onError: fe.fromError });
  };

  if (perm.me && !perm.isAdmin) {
    return (
      <>
        <PageHead title="Users and roles" />
        <div className="card"><Empty title="Administrators only">Ask an administrator to change who can do what. Team admins manage their team&apos;s members on the Teams page.</Empty></div>
      </>
    );
  }
  const q = filter.trim().toLowerCase();
  const shown = (users.data?.items ?? []).filter((u) => !q || u.email.includes(q) || u.name.toLowerCase().includes(q) || Object.keys(u.roles).some((t) => t.includes(q)));
  return (
    <>
      <PageHead
        title="Users and roles"
        subtitle="Viewers read everything; editors change their team's services, SLOs, policies and receivers; team admins also manage the team's members; administrators manage everything."
        actions={<button className="btn btn-primary" onClick={() => open("new")}>New user</button>}
      />
      {editing ? (
        <form className="card" onSubmit={submit} noValidate aria-label="User form">
          <h2>{editing === "new" ? "New user" : `Edit ${editing.email}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            {editing === "new" ? (
              <Field label="Email" name="email" error={fe.errors.email}>
                <input id="email" type="email" value={form.email} className={cls(!!fe.errors.email)} onChange={(e) => setForm({ ...form, email: e.target.value })} />
              </Field>
            ) : null}
            <Field label="Name" name="name" error={fe.errors.name}>
              <input id="name" type="text" value={form.name} className={cls(!!fe.errors.name)} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            </Field>
            <Field label={editing === "new" ? "Password" : "New password"} name="password" error={fe.errors.password} hint={editing === "new" ? "Leave empty for single sign-on only. At least 12 characters." : "Leave empty to keep it. Changing it signs the user out everywhere."}>
              <input id="password" type="password" autoComplete="new-password" value={form.password} className={cls(!!fe.errors.password)} onChange={(e) => setForm({ ...form, password: e.target.value })} />
            </Field>
          </div>
          {editing !== "new" && editing.sso && groupsRule ? (
            <div className="alert alert-warn" role="note">This user signs in through {ssoName}; their administrator flag and team roles follow their identity-provider groups (BURNRATE_OIDC_ROLE_MAPPING) and are replaced at their next sign-in.</div>
          ) : null}
          <div className="field" data-field="isAdmin">
            <label><input type="checkbox" checked={form.isAdmin} onChange={(e) => setForm({ ...form, isAdmin: e.target.checked })} /> Administrator (every team, push targets, users)</label>
            {fe.errors.isAdmin ? <div className="field-error" role="alert">{fe.errors.isAdmin}</div> : null}
          </div>
          <RoleEditor value={form.memberships} onChange={(m) => setForm({ ...form, memberships: m })} teams={teams.data?.items ?? []} error={fe.errors.memberships} />
          <FormActions pending={save.isPending} label="Save user" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      <div className="card">
        <div className="filters">
          <input type="text" aria-label="Filter users" placeholder="Filter by email, name or team" style={{ minWidth: 280 }} value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        <ErrorBox error={users.error} title="Could not load users" />
        <ErrorBox error={toggle.error} title="Could not change the user" />
        {users.isLoading || perm.loading ? <Loading /> : null}
        {users.data && shown.length === 0 ? <Empty title={q ? "No user matches" : "No users yet"} /> : null}
        {shown.length > 0 ? (
          <DataTable head={["User", "Roles", "Sign-in", "Last sign-in", ""]}>
            {shown.map((u) => (
              <tr key={u.id} data-testid={`user-${u.email}`} className={u.disabled ? "muted" : undefined}>
                <td><strong>{u.name || u.email}</strong> {u.disabled ? <Badge tone="bad">disabled</Badge> : null}{u.name ? <div className="muted">{u.email}</div> : null}</td>
                <td>
                  <div className="btn-row">
                    {u.isAdmin ? <Badge tone="bad">administrator</Badge> : null}
                    {Object.entries(u.roles).map(([t, r]) => <Badge key={t} tone={r === "viewer" ? "default" : r === "editor" ? "info" : "warn"}>{r} · {t}</Badge>)}
                    {!u.isAdmin && Object.keys(u.roles).length === 0 ? <span className="muted">read only</span> : null}
                  </div>
                </td>
                <td>{[u.sso ? "SSO" : null, u.hasPassword ? "password" : null].filter(Boolean).join(" + ") || <span className="muted">not yet</span>}{u.apiTokens ? <div className="muted">{u.apiTokens} API token{u.apiTokens === 1 ? "" : "s"}</div> : null}</td>
                <td>{u.lastLoginAt ? dateTime(Date.parse(u.lastLoginAt)) : <span className="muted">never</span>}</td>
                <RowActions>
                  <button className="btn" onClick={() => open(u)}>Edit</button>
                  {u.email !== perm.me?.email ? (
                    <button className={u.disabled ? "btn" : "btn btn-danger"} disabled={toggle.isPending} onClick={() => (u.disabled || confirm(`Disable ${u.email}? Their sessions end and their API tokens stop working.`)) && toggle.mutate(u)}>
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  ) : null}
                </RowActions>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </div>
    </>
  );
}
