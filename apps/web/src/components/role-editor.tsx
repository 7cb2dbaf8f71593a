"use client";
import type { Team } from "~/lib/types";

export type RoleName = "viewer" | "editor" | "admin";
export type MembershipRow = { team: string; role: RoleName };

/** Edits a list of team roles: one row per team, add/remove rows. */
export function RoleEditor({ value, onChange, teams, error }: { value: MembershipRow[]; onChange: (v: MembershipRow[]) => void; teams: Team[]; error?: string }) {
  const free = teams.filter((t) => !value.some((m) => m.team === t.slug));
  return (
    <div className="field" data-field="memberships">
      <label>Team roles</label>
      {value.length === 0 ? <div className="hint">No team roles: can read everything, change nothing.</div> : null}
      {value.map((m, i) => (
        <div className="row" key={m.team} style={{ alignItems: "center", marginBottom: 6 }} data-testid={`role-row-${m.team}`}>
          <span className="mono" style={{ minWidth: 140 }}>{teams.find((t) => t.slug === m.team)?.name ?? m.team}</span>
          <select aria-label={`Role on ${m.team}`} value={m.role} onChange={(e) => onChange(value.map((x, j) => (j === i ? { ...x, role: e.target.value as RoleName } : x)))}>
            <option value="viewer">viewer</option>
            <option value="editor">editor</option>
            <option value="admin">team admin</option>
          </select>
          <button type="button" className="btn" aria-label={`Remove role on ${m.team}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      {free.length > 0 ? (
        <select aria-label="Add a team role" value="" onChange={(e) => e.target.value && onChange([...value, { team: e.target.value, role: "viewer" }])}>
          <option value="">Add a team…</option>
          {free.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
        </select>
      ) : null}
      {error ? <div className="field-error" role="alert">{error}</div> : null}
    </div>
  );
}
