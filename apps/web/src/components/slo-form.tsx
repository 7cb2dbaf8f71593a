"use client";
import { SloResourceSchema, fieldErrors, slugFromName } from "@burnrate/domain";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { FormActions, OtherFieldErrors, ReadOnlyNote, cls, useFieldErrors } from "~/components/crud";
import { Field } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import { useMe } from "~/lib/me";
import type { List, Policy, Service, Sli, Slo, Team } from "~/lib/types";

type Form = {
  slug: string; name: string; description: string; service: string; sli: string; objective: string; window: string;
  budgetingMethod: string; policy: string; alertsEnabled: boolean; page: boolean; ticket: boolean; minEvents: string; runbookUrl: string;
};

/** Fields with an input on this form; other refused fields (labels, custom alert windows) are listed at the top. */
const SLO_FORM_FIELDS = ["name", "slug", "service", "sli", "objective", "window", "budgetingMethod", "policy", "alerting.runbookUrl", "alerting.minEvents"] as const;

export function SloForm({ existing }: { existing?: Slo }) {
  const router = useRouter();
  const services = useApi<List<Service>>(["services", ""], "/api/v1/services");
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const perm = useMe();
  const [form, setForm] = useState<Form>(() => ({
    slug: existing?.slug ?? "", name: existing?.name ?? "", description: existing?.description ?? "", service: existing?.service ?? "", sli: existing?.sli ?? "",
    objective: existing ? String(existing.objective) : "99.9", window: existing?.window ?? "30d", budgetingMethod: existing?.budgetingMethod ?? "occurrences",
    policy: existing?.policy ?? "", alertsEnabled: existing?.alerting.enabled ?? true, page: existing?.alerting.page ?? true, ticket: existing?.alerting.ticket ?? true,
    minEvents: String(existing?.alerting.minEvents ?? 0), runbookUrl: existing?.alerting.runbookUrl ?? "",
  }));
  const slis = useApi<List<Sli>>(["slis", form.service], form.service ? `/api/v1/slis?service=${encodeURIComponent(form.service)}` : null);
  const team = services.data?.items.find((s) => s.slug === form.service)?.team;
  const policies = useApi<List<Policy>>(["policies", team ?? ""], team ? `/api/v1/policies?team=${encodeURIComponent(team)}` : null);
  const fe = useFieldErrors();
  // What this user may do, known before they type: another team's SLO opens read-only with the reason.
  const readOnly = existing ? perm.whyReadOnly(existing.team, "this SLO") : perm.me && !perm.canEditAny ? "You need the editor role in a team to create SLOs." : null;
  const locked = perm.loading || readOnly !== null;
  const choosable = (services.data?.items ?? []).filter((s) => perm.canEdit(s.team) || s.slug === existing?.service);
  const defaultPolicyOf = (svc: string) => {
    const t = services.data?.items.find((s) => s.slug === svc)?.team;
    return teams.data?.items.find((x) => x.slug === t)?.defaultPolicy ?? "";
  };
  // A new SLO starts on the user's team's first service and that team's default policy.
  const [defaulted, setDefaulted] = useState(Boolean(existing));
  const firstChoice = choosable[0]?.slug ?? "";
  const firstPolicy = defaultPolicyOf(firstChoice);
  const ready = Boolean(services.data && teams.data && perm.me);
  useEffect(() => {
    if (defaulted || !ready) return;
    setDefaulted(true);
    if (firstChoice) setForm((f) => (f.service ? f : { ...f, service: firstChoice, policy: firstPolicy }));
  }, [defaulted, ready, firstChoice, firstPolicy]);
  const [slugTouched, setSlugTouched] = useState(Boolean(existing));
  const save = useApiMutation(
    (body: unknown) => (existing ? apiFetch<Slo>(`/api/v1/slos/${existing.slug}`, { method: "PUT", body }) : apiFetch<Slo>("/api/v1/slos", { method: "POST", body })),
    // The detail page caches the SLO under ["slo", slug]; drop it so it shows what was just saved.
    [["slos"], ["slis"], ["slo"], ["slo-rules"], ["slo-live"], ["board"]],
  );
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    fe.fix(k === "runbookUrl" ? "alerting.runbookUrl" : k === "minEvents" ? "alerting.minEvents" : k);
    setForm({ ...form, [k]: e.target.value });
  };
  const setName = (e: React.ChangeEvent<HTMLInputElement>) => {
    fe.fix("name", ...(slugTouched ? [] : ["slug"]));
    setForm({ ...form, name: e.target.value, ...(slugTouched ? {} : { slug: slugFromName(e.target.value) }) });
  };
  const check = (k: "alertsEnabled" | "page" | "ticket") => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.checked });
  const policyHint = (() => {
    const d = defaultPolicyOf(form.service);
    return d && form.policy === d ? "The team's default policy." : undefined;
  })();

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    fe.clear();
    const body = {
      slug: form.slug, name: form.name, description: form.description, service: form.service, sli: form.sli,
      objective: form.objective.trim() === "" ? Number.NaN : Number(form.objective), window: form.window, budgetingMethod: form.budgetingMethod,
      policy: form.policy || null, labels: existing?.labels ?? {},
      alerting: { enabled: form.alertsEnabled, page: form.page, ticket: form.ticket, minEvents: Number(form.minEvents || 0), runbookUrl: form.runbookUrl },
    };
    const parsed = SloResourceSchema.safeParse(body);
    if (!parsed.success) {
      fe.setErrors(fieldErrors(parsed.error));
      fe.setFormError("Please fix the highlighted fields.");
      return;
    }
    save.mutate(existing ? { ...body, version: existing.version } : body, {
      onSuccess: (slo) => router.push(`/slos/${slo.slug}`),
      onError: fe.fromError,
    });
  };
  const budgetMinutes = (() => {
    const o = Number(form.objective);
    if (!(o > 0 && o < 100)) return null;
    const days = form.window === "7d" ? 7 : form.window === "28d" ? 28 : 30;
    return ((100 - o) / 100) * days * 24 * 60;
  })();

  return (
    <form className="card" onSubmit={submit} noValidate aria-label="SLO form" data-readonly={readOnly ? "true" : undefined}>
      <ReadOnlyNote reason={readOnly} />
      {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
      <OtherFieldErrors errors={fe.errors} shown={SLO_FORM_FIELDS} />
      <fieldset disabled={locked} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <div className="row">
        <Field label="Name" name="name" error={fe.errors.name}><input id="name" type="text" value={form.name} className={cls(!!fe.errors.name)} onChange={setName} /></Field>
        <Field label="Slug" name="slug" error={fe.errors.slug} hint={existing ? "Unique id, used as the slo label on every rule and alert." : "Derived from the name until you edit it; the slo label on every rule and alert."}><input id="slug" type="text" value={form.slug} className={cls(!!fe.errors.slug)} onChange={(e) => { setSlugTouched(true); set("slug")(e); }} /></Field>
      </div>
      <div className="row">
        <Field label="Service" name="service" error={fe.errors.service}>
          <select id="service" value={form.service} className={cls(!!fe.errors.service)} onChange={(e) => { fe.fix("service", "sli", "policy"); setForm({ ...form, service: e.target.value, sli: "", policy: existing ? "" : defaultPolicyOf(e.target.value) }); }}>
            <option value="">Choose a service…</option>
            {(locked ? services.data?.items ?? [] : choosable).map((s) => <option key={s.slug} value={s.slug}>{s.name} ({s.teamName})</option>)}
          </select>
        </Field>
        <Field label="SLI" name="sli" error={fe.errors.sli} hint={form.service && slis.data?.items.length === 0 ? "This service has no SLIs yet; create one on the SLIs page." : undefined}>
          <select id="sli" value={form.sli} className={cls(!!fe.errors.sli)} onChange={set("sli")} disabled={!form.service}>
            <option value="">Choose an SLI…</option>
            {slis.data?.items.map((s) => <option key={s.slug} value={s.slug}>{s.name} ({s.kind})</option>)}
          </select>
        </Field>
      </div>
      <div className="row">
        <Field label="Objective (%)" name="objective" error={fe.errors.objective} hint={budgetMinutes !== null ? `Error budget: ${budgetMinutes.toFixed(1)} minutes of full outage per period.` : "Between 50 and 100, e.g. 99.9"}>
          <input id="objective" type="number" step="any" value={form.objective} className={cls(!!fe.errors.objective)} onChange={set("objective")} />
        </Field>
        <Field label="Window" name="window" error={fe.errors.window}>
          <select id="window" value={form.window} onChange={set("window")}>
            <option value="7d">Rolling 7 days</option>
            <option value="28d">Rolling 28 days</option>
            <option value="30d">Rolling 30 days</option>
            <option value="calendar-month">Calendar month</option>
          </select>
        </Field>
        <Field label="Budgeting method" name="budgetingMethod" error={fe.errors.budgetingMethod}>
          <select id="budgetingMethod" value={form.budgetingMethod} onChange={set("budgetingMethod")}>
            <option value="occurrences">Occurrences (good / total events)</option>
            <option value="timeslices">Timeslices (good minutes)</option>
          </select>
        </Field>
      </div>
      <div className="row">
        <Field label="Error-budget policy" name="policy" error={fe.errors.policy} hint={policyHint}>
          <select id="policy" value={form.policy} onChange={set("policy")} disabled={!team}>
            <option value="">No policy</option>
            {policies.data?.items.map((p) => <option key={p.slug} value={p.slug}>{p.name}</option>)}
          </select>
        </Field>
        <Field label="Runbook URL for alerts" name="alerting.runbookUrl" error={fe.errors["alerting.runbookUrl"]}>
          <input id="alerting.runbookUrl" type="url" value={form.runbookUrl} className={cls(!!fe.errors["alerting.runbookUrl"])} onChange={set("runbookUrl")} />
        </Field>
        <Field label="Minimum events before alerting" name="alerting.minEvents" error={fe.errors["alerting.minEvents"]} hint="Low-traffic protection; 0 disables it.">
          <input id="alerting.minEvents" type="number" min={0} value={form.minEvents} onChange={set("minEvents")} />
        </Field>
      </div>
      <div className="btn-row" style={{ marginBottom: 14 }}>
        <label style={{ fontWeight: 500 }}><input type="checkbox" checked={form.alertsEnabled} onChange={check("alertsEnabled")} /> Burn-rate alerts</label>
        <label style={{ fontWeight: 500 }}><input type="checkbox" checked={form.page} onChange={check("page")} disabled={!form.alertsEnabled} /> Page (14.4× / 6×)</label>
        <label style={{ fontWeight: 500 }}><input type="checkbox" checked={form.ticket} onChange={check("ticket")} disabled={!form.alertsEnabled} /> Ticket (3× / 1×)</label>
      </div>
      <Field label="Description" name="description" error={fe.errors.description}><textarea id="description" value={form.description} onChange={set("description")} /></Field>
      </fieldset>
      {readOnly ? <div className="btn-row"><button className="btn" type="button" onClick={() => router.back()}>Back</button></div> : <FormActions pending={save.isPending || perm.loading} label={existing ? "Save changes" : "Create SLO"} onCancel={() => router.back()} />}
    </form>
  );
}
