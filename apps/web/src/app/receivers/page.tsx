"use client";
import { slugFromName } from "@burnrate/domain";
import { useState } from "react";
import { DataTable, FormActions, cls, useFieldErrors } from "~/components/crud";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import { useMe } from "~/lib/me";
import type { List, Team } from "~/lib/types";

type Receiver = { id: string; slug: string; name: string; team: string; teamName: string; kind: string; severities: string[]; config: Record<string, unknown>; secrets: Record<string, string>; version: number };
type TestResult = { receiver: string; kind: string; result: "delivered" | "failed"; reason: string | null; status: number | null; at: string };
type Form = { slug: string; name: string; team: string; kind: string; page: boolean; ticket: boolean; url: string; channel: string; apiUrl: string; routingKey: string; to: string; authorization: string };
const empty: Form = { slug: "", name: "", team: "", kind: "webhook", page: true, ticket: true, url: "", channel: "", apiUrl: "", routingKey: "", to: "", authorization: "" };

export default function ReceiversPage() {
  const receivers = useApi<List<Receiver>>(["receivers"], "/api/v1/receivers");
  const teams = useApi<List<Team>>(["teams"], "/api/v1/teams");
  const perm = useMe();
  const [editing, setEditing] = useState<Receiver | "new" | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const fe = useFieldErrors();
  const body = () => {
    const config =
      form.kind === "webhook" ? { kind: "webhook", url: form.url, sendResolved: true, ...(form.authorization ? { authorization: form.authorization } : {}) }
      : form.kind === "slack" ? { kind: "slack", channel: form.channel, apiUrl: form.apiUrl }
      : form.kind === "pagerduty" ? { kind: "pagerduty", routingKey: form.routingKey }
      : { kind: "email", to: form.to };
    return { slug: form.slug, name: form.name, team: form.team, severities: [...(form.page ? ["page"] : []), ...(form.ticket ? ["ticket"] : [])], config };
  };
  const save = useApiMutation(
    () => (editing && editing !== "new" ? apiFetch(`/api/v1/receivers/${editing.slug}`, { method: "PUT", body: { ...body(), version: editing.version } }) : apiFetch("/api/v1/receivers", { method: "POST", body: body() })),
    [["receivers"]],
  );
  const del = useApiMutation((slug: string) => apiFetch(`/api/v1/receivers/${slug}`, { method: "DELETE" }), [["receivers"]]);
  // The last test result per receiver, shown in its row until the next test.
  const [tests, setTests] = useState<Record<string, TestResult | { pending: true } | { error: string }>>({});
  const test = useApiMutation((slug: string) => apiFetch<TestResult>(`/api/v1/receivers/${slug}/test`, { method: "POST" }), []);
  const sendTest = (slug: string) => {
    setTests((t) => ({ ...t, [slug]: { pending: true } }));
    test.mutate(slug, { onSuccess: (r) => setTests((t) => ({ ...t, [slug]: r })), onError: (e) => setTests((t) => ({ ...t, [slug]: { error: e.message } })) });
  };
  const open = (r: Receiver | "new") => {
    fe.clear();
    setEditing(r);
    setForm(r === "new" ? { ...empty, team: perm.editableTeams(teams.data?.items.map((t) => t.slug) ?? [])[0] ?? "" } : { ...empty, slug: r.slug, name: r.name, team: r.team, kind: r.kind, page: r.severities.includes("page"), ticket: r.severities.includes("ticket"), channel: String(r.config.channel ?? ""), to: String(r.config.to ?? "") });
  };
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    const key = ["url", "channel", "apiUrl", "routingKey", "to"].includes(k) ? `config.${k}` : k;
    // A new receiver's slug follows its name until the slug is edited by hand.
    const follow = k === "name" && editing === "new" && form.slug === slugFromName(form.name);
    fe.fix(key, ...(follow ? ["slug"] : []));
    setForm({ ...form, [k]: e.target.value, ...(follow ? { slug: slugFromName(e.target.value) } : {}) });
  };
  const err = (k: string) => fe.errors[k];
  const keep = editing && editing !== "new" ? "Leave empty to keep the stored value." : undefined;
  return (
    <>
      <PageHead title="Alert receivers" subtitle="Where each team's pages and tickets go. Generated into Alertmanager routes; secrets are encrypted and never shown again." actions={perm.canEditAny ? <button className="btn btn-primary" onClick={() => open("new")}>Add receiver</button> : undefined} />
      {editing ? (
        <form className="card" onSubmit={(e) => { e.preventDefault(); fe.clear(); save.mutate(undefined, { onSuccess: () => setEditing(null), onError: fe.fromError }); }} noValidate aria-label="Receiver form">
          <h2>{editing === "new" ? "New receiver" : `Edit ${editing.name}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            <Field label="Name" name="name" error={err("name")}><input id="name" type="text" value={form.name} className={cls(!!err("name"))} onChange={set("name")} /></Field>
            <Field label="Slug" name="slug" error={err("slug")}><input id="slug" type="text" value={form.slug} className={cls(!!err("slug"))} onChange={set("slug")} /></Field>
            <Field label="Team" name="team" error={err("team")}>
              <select id="team" value={form.team} onChange={set("team")}>{teams.data?.items.filter((t) => perm.canEdit(t.slug)).map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}</select>
            </Field>
            <Field label="Kind" name="kind"><select id="kind" value={form.kind} onChange={set("kind")}><option value="webhook">Webhook</option><option value="slack">Slack</option><option value="pagerduty">PagerDuty</option><option value="email">Email</option></select></Field>
          </div>
          <div className="row">
            {form.kind === "webhook" ? <Field label="Webhook URL" name="config.url" error={err("config.url")} hint={keep}><input id="config.url" type="url" value={form.url} className={cls(!!err("config.url"))} onChange={set("url")} /></Field> : null}
            {form.kind === "webhook" ? <p className="muted">Alertmanager shows webhook URLs in clear on its status API to anyone who can reach it: put secrets in the authorization credentials below, not in the URL, and keep Alertmanager&apos;s API private.</p> : null}
            {form.kind === "webhook" ? <Field label="Authorization credentials (Bearer)" name="config.authorization" error={err("config.authorization")} hint={keep}><input id="config.authorization" type="password" autoComplete="off" value={form.authorization} className={cls(!!err("config.authorization"))} onChange={set("authorization")} /></Field> : null}
            {form.kind === "slack" ? <><Field label="Channel" name="config.channel" error={err("config.channel")}><input id="config.channel" type="text" value={form.channel} className={cls(!!err("config.channel"))} onChange={set("channel")} /></Field><Field label="Incoming webhook URL" name="config.apiUrl" error={err("config.apiUrl")} hint={keep}><input id="config.apiUrl" type="url" value={form.apiUrl} className={cls(!!err("config.apiUrl"))} onChange={set("apiUrl")} /></Field></> : null}
            {form.kind === "pagerduty" ? <Field label="Routing key" name="config.routingKey" error={err("config.routingKey")} hint={keep}><input id="config.routingKey" type="password" value={form.routingKey} className={cls(!!err("config.routingKey"))} onChange={set("routingKey")} /></Field> : null}
            {form.kind === "email" ? <Field label="To" name="config.to" error={err("config.to")}><input id="config.to" type="email" value={form.to} className={cls(!!err("config.to"))} onChange={set("to")} /></Field> : null}
          </div>
          <div className="btn-row" style={{ marginBottom: 14 }}>
            <label style={{ fontWeight: 500 }}><input type="checkbox" checked={form.page} onChange={(e) => { fe.fix("severities"); setForm({ ...form, page: e.target.checked }); }} /> Pages</label>
            <label style={{ fontWeight: 500 }}><input type="checkbox" checked={form.ticket} onChange={(e) => { fe.fix("severities"); setForm({ ...form, ticket: e.target.checked }); }} /> Tickets</label>
            {err("severities") ? <span className="field-error">{err("severities")}</span> : null}
          </div>
          <FormActions pending={save.isPending} label="Save receiver" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      <div className="card">
        <ErrorBox error={receivers.error} title="Could not load receivers" />
        <ErrorBox error={del.error} title="Could not delete" />
        {receivers.isLoading ? <Loading /> : null}
        {receivers.data && receivers.data.items.length === 0 ? <Empty title="No receivers">Without receivers, alerts go to Burnrate's own webhook only.</Empty> : null}
        {receivers.data && receivers.data.items.length > 0 ? (
          <DataTable head={["Receiver", "Team", "Kind", "Severities", "Destination", "Last test", ""]}>
            {receivers.data.items.map((r) => (
              <tr key={r.id} data-testid={`receiver-${r.slug}`}>
                <td><strong>{r.name}</strong><div className="muted mono">{r.slug}</div></td>
                <td>{r.teamName}</td>
                <td><Badge tone="info">{r.kind}</Badge></td>
                <td>{r.severities.join(", ")}</td>
                <td className="mono muted">{String(r.config.channel ?? r.config.to ?? r.config.url ?? "")} {Object.values(r.secrets).join(" ")}</td>
                <td data-testid="test-result"><TestOutcome t={tests[r.slug]} /></td>
                <td>{perm.canEdit(r.team) ? <div className="btn-row"><button className="btn" onClick={() => sendTest(r.slug)} disabled={isPending(tests[r.slug])} title="Send one synthetic alert through this receiver now">Send test notification</button><button className="btn" onClick={() => open(r)}>Edit</button><button className="btn btn-danger" onClick={() => confirm(`Delete receiver ${r.name}?`) && del.mutate(r.slug)}>Delete</button></div> : null}</td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </div>
    </>
  );
}

function TestOutcome({ t }: { t: TestResult | { pending: true } | { error: string } | undefined }) {
  if (!t) return <span className="muted">—</span>;
  if ("pending" in t) return <span className="muted">Sending…</span>;
  if ("error" in t) return <Badge tone="bad">{t.error}</Badge>;
  return (
    <div title={new Date(t.at).toLocaleString()}>
      <Badge tone={t.result === "delivered" ? "ok" : "bad"}>{t.result === "delivered" ? `delivered${t.status ? ` (HTTP ${t.status})` : ""}` : "failed"}</Badge>
      {t.reason ? <div className="muted" style={{ maxWidth: 320 }}>{t.reason}</div> : null}
    </div>
  );
}

const isPending = (t: TestResult | { pending: true } | { error: string } | undefined) => t !== undefined && "pending" in t;
