"use client";
import { useState } from "react";
import { Empty, ErrorBox, Loading } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import { useSsoRoleSync } from "~/lib/me";
import type { List } from "~/lib/types";
import type { RoleName } from "./role-editor";

type Member = { userId: string; email: string; name: string; role: RoleName; disabled: boolean; sso: boolean };

/** Who has which role on one team; team admins and administrators change it here. */
export function TeamMembers({ slug, canManage }: { slug: string; canManage: boolean }) {
  const key = ["team-members", slug];
  const members = useApi<List<Member>>(key, `/api/v1/teams/${slug}/members`);
  const { rolesFromGroups: groupsRule } = useSsoRoleSync();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<RoleName>("viewer");
  const set = useApiMutation((v: { email: string; role: RoleName | null }) => apiFetch(`/api/v1/teams/${slug}/members/${encodeURIComponent(v.email)}`, v.role ? { method: "PUT", body: { role: v.role } } : { method: "DELETE" }), [key, ["users"], ["me"]]);
  return (
    <div className="members" data-testid={`members-${slug}`}>
      <ErrorBox error={members.error} title="Could not load members" />
      <ErrorBox error={set.error} title="Could not change the role" />
      {members.isLoading ? <Loading rows={2} /> : null}
      {members.data && members.data.items.length === 0 ? <Empty title="No members yet">Administrators and team admins add people here; everyone signed in can read.</Empty> : null}
      {members.data && members.data.items.length > 0 ? (
        <table>
          <thead><tr><th>Member</th><th>Role</th><th /></tr></thead>
          <tbody>
            {members.data.items.map((m) => (
              <tr key={m.userId}>
                <td>{m.name ? <>{m.name} <span className="muted">{m.email}</span></> : m.email}{m.disabled ? <span className="muted"> · disabled</span> : null}{m.sso && groupsRule ? <span className="muted" title="This member signs in through single sign-on; their roles follow their identity-provider groups and a change here is replaced at their next sign-in"> · roles from SSO groups</span> : null}</td>
                <td>
                  {canManage ? (
                    <select aria-label={`Role of ${m.email}`} value={m.role} disabled={set.isPending} onChange={(e) => set.mutate({ email: m.email, role: e.target.value as RoleName })}>
                      <option value="viewer">viewer</option>
                      <option value="editor">editor</option>
                      <option value="admin">team admin</option>
                    </select>
                  ) : m.role === "admin" ? "team admin" : m.role}
                </td>
                <td style={{ textAlign: "right" }}>{canManage ? <button className="btn" disabled={set.isPending} onClick={() => set.mutate({ email: m.email, role: null })}>Remove</button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canManage ? (
        <form className="row" style={{ alignItems: "end", marginTop: 8 }} onSubmit={(e) => { e.preventDefault(); set.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail("") }); }} aria-label={`Add a member to ${slug}`}>
          <div className="field"><label htmlFor={`add-${slug}`}>Add by email</label><input id={`add-${slug}`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="someone@example.com" /></div>
          <div className="field">
            <label htmlFor={`add-role-${slug}`}>Role</label>
            <select id={`add-role-${slug}`} value={role} onChange={(e) => setRole(e.target.value as RoleName)}>
              <option value="viewer">viewer</option><option value="editor">editor</option><option value="admin">team admin</option>
            </select>
          </div>
          <div className="field"><button className="btn btn-primary" type="submit" disabled={set.isPending || !email.trim()}>Add member</button></div>
        </form>
      ) : null}
    </div>
  );
}
