"use client";
import { ErrorBudgetPolicySpecSchema, defaultPolicySteps, fieldErrors } from "@burnrate/domain";
import { useState } from "react";
import { DataTable, FormActions, cls, useFieldErrors } from "~/components/crud";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { List, Policy, PolicyStep, Team } from "~/lib/types";
import { useMe } from "~/lib/me";


const ACTIONS = ["page", "ticket", "incident_response", "reliability_sprint", "feature_freeze", "notify"] as const;
type Form = { slug: string; name: string; team: string; description: string; steps: PolicyStep[] };

function describeCondition(c: PolicyStep["condition"]): string {
  return c.type === "burn_rate" ? `burn rate over ${c.window} > ${c.above}×` : `budget remaining < ${c.belowPercent}%`;
}

export default function PoliciesPage() {
  const policies = useApi<List<Policy>>(["policies", ""], "/api/v1/policies");
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const perm = useMe();
  const [editing, setEditing] = useState<Policy | "new" | null>(null);
  const [form, setForm] = useState<Form>({ slug: "", name: "", team: "", description: "", steps: [] });
  const fe = useFieldErrors();
  const save = useApiMutation(
    (v: Form & { version?: number }) => (editing && editing !== "new" ? apiFetch(`/api/v1/policies/${editing.slug}`, { method: "PUT", body: v }) : apiFetch("/api/v1/policies", { method: "POST", body: v })),
    [["policies"]],
  );
  const del = useApiMutation((slug: string) => apiFetch(`/api/v1/policies/${slug}`, { method: "DELETE" }), [["policies"]]);
  const open = (p: Policy | "new") => {
    fe.clear();
    setEditing(p);
    setForm(p === "new" ? { slug: "", name: "", team: teams.data?.items[0]?.slug ?? "", description: "", steps: defaultPolicySteps() as PolicyStep[] } : { slug: p.slug, name: p.name, team: p.team, description: p.description, steps: p.steps });
  };
  const setStep = (i: number, s: PolicyStep) => setForm({ ...form, steps: form.steps.map((x, j) => (j === i ? s : x)) });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    fe.clear();
    const parsed = ErrorBudgetPolicySpecSchema.safeParse(form);
    if (!parsed.success) {
      fe.setErrors(fieldErrors(parsed.error));
      fe.setFormError("Please fix the highlighted fields.");
      return;
    }
    save.mutate({ ...form, ...(editing && editing !== "new" ? { version: editing.version } : {}) }, { onSuccess: () => setEditing(null), onError: fe.fromError });
  };
  return (
    <>
      <PageHead title="Error-budget policies" subtitle="What happens when budget burns: ordered steps, first match wins." actions={<button className="btn btn-primary" onClick={() => open("new")} disabled={!teams.data?.items.length || !perm.canEditAny}>New policy</button>} />
      {editing ? (
        <form className="card" onSubmit={submit} noValidate aria-label="Policy form">
          <h2>{editing === "new" ? "New policy" : `Edit ${editing.name}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            <Field label="Name" name="name" error={fe.errors.name}><input id="name" type="text" value={form.name} className={cls(!!fe.errors.name)} onChange={(e) => setForm({ ...form, name: e.target.value })} /></Field>
            <Field label="Slug" name="slug" error={fe.errors.slug}><input id="slug" type="text" value={form.slug} className={cls(!!fe.errors.slug)} onChange={(e) => setForm({ ...form, slug: e.target.value })} /></Field>
            <Field label="Team" name="team" error={fe.errors.team}>
              <select id="team" value={form.team} onChange={(e) => setForm({ ...form, team: e.target.value })}>
                {teams.data?.items.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
              </select>
            </Field>
          </div>
          <label>Steps</label>
          {fe.errors.steps ? <div className="field-error">{fe.errors.steps}</div> : null}
          <DataTable head={["#", "Condition", "Threshold", "Action", "Note", ""]}>
            {form.steps.map((s, i) => (
              <tr key={i}>
                <td>{i + 1}</td>
                <td>
                  <select aria-label={`Step ${i + 1} condition`} value={s.condition.type} onChange={(e) => setStep(i, { ...s, condition: e.target.value === "burn_rate" ? { type: "burn_rate", window: "1h", above: 14.4 } : { type: "budget_remaining", belowPercent: 0 } })}>
                    <option value="burn_rate">Burn rate above</option>
                    <option value="budget_remaining">Budget remaining below</option>
                  </select>
                </td>
                <td>
                  {s.condition.type === "burn_rate" ? (
                    <div className="row">
                      <input aria-label={`Step ${i + 1} window`} type="text" value={s.condition.window} className={cls(!!fe.errors[`steps.${i}.condition.window`])} onChange={(e) => setStep(i, { ...s, condition: { ...(s.condition as { type: "burn_rate"; window: string; above: number }), window: e.target.value } })} />
                      <input aria-label={`Step ${i + 1} burn rate`} type="number" step="any" value={s.condition.above} onChange={(e) => setStep(i, { ...s, condition: { ...(s.condition as { type: "burn_rate"; window: string; above: number }), above: Number(e.target.value) } })} />
                    </div>
                  ) : (
                    <input aria-label={`Step ${i + 1} percent`} type="number" step="any" value={s.condition.belowPercent} onChange={(e) => setStep(i, { ...s, condition: { type: "budget_remaining", belowPercent: Number(e.target.value) } })} />
                  )}
                  {fe.errors[`steps.${i}.condition.window`] ? <div className="field-error">{fe.errors[`steps.${i}.condition.window`]}</div> : null}
                </td>
                <td>
                  <select aria-label={`Step ${i + 1} action`} value={s.action} onChange={(e) => setStep(i, { ...s, action: e.target.value })}>
                    {ACTIONS.map((a) => <option key={a} value={a}>{a.replace(/_/g, " ")}</option>)}
                  </select>
                </td>
                <td><input aria-label={`Step ${i + 1} note`} type="text" value={s.note} onChange={(e) => setStep(i, { ...s, note: e.target.value })} /></td>
                <td><button type="button" className="btn btn-danger" onClick={() => setForm({ ...form, steps: form.steps.filter((_, j) => j !== i) })}>Remove</button></td>
              </tr>
            ))}
          </DataTable>
          <div className="btn-row" style={{ margin: "10px 0 14px" }}>
            <button type="button" className="btn" onClick={() => setForm({ ...form, steps: [...form.steps, { condition: { type: "burn_rate", window: "1h", above: 14.4 }, action: "page", note: "" }] })}>Add step</button>
          </div>
          <Field label="Description" name="description" error={fe.errors.description}><textarea id="description" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} /></Field>
          <FormActions pending={save.isPending} label="Save policy" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      <ErrorBox error={policies.error} title="Could not load policies" />
      <ErrorBox error={del.error} title="Could not delete" />
      {policies.isLoading ? <div className="card"><Loading /></div> : null}
      {policies.data && policies.data.items.length === 0 ? <div className="card"><Empty title="No policies yet">A policy says what the team does when budget burns: page, ticket, reliability sprint or feature freeze.</Empty></div> : null}
      <div className="grid grid-2">
        {policies.data?.items.map((p) => (
          <div className="card" key={p.id} data-testid={`policy-${p.slug}`}>
            <div className="page-head" style={{ marginBottom: 8 }}>
              <div><h2 style={{ margin: 0 }}>{p.name}</h2><span className="muted">{p.teamName} · {p.sloCount ?? 0} SLOs</span></div>
              {perm.canEdit(p.team) ? <div className="btn-row"><button className="btn" onClick={() => open(p)}>Edit</button><button className="btn btn-danger" onClick={() => confirm(`Delete policy ${p.name}?`) && del.mutate(p.slug)}>Delete</button></div> : null}
            </div>
            <ol style={{ margin: 0, paddingLeft: 18 }}>
              {p.steps.map((s, i) => <li key={i} style={{ marginBottom: 4 }}>{describeCondition(s.condition)} → <Badge tone={s.action === "feature_freeze" || s.action === "incident_response" ? "bad" : s.action === "page" ? "warn" : "info"}>{s.action.replace(/_/g, " ")}</Badge> <span className="muted">{s.note}</span></li>)}
            </ol>
          </div>
        ))}
      </div>
    </>
  );
}
