"use client";
import Link from "next/link";
import { useState } from "react";
import { FormActions, cls, useFieldErrors } from "~/components/crud";
import { dateTime } from "~/components/format";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { List } from "~/lib/types";
import { useMe } from "~/lib/me";


type Target = {
  id: string; name: string; kind: string; url: string; mode: string; settings: Record<string, unknown>; enabled: boolean; status: string; statusMessage: string;
  lastSyncAt: string | null; lastAttemptAt: string | null; lastSuccessAt: string | null; failureCount: number; nextAttemptAt: string | null; version: number; hasToken: boolean;
  quarantine: { slo: string; path: string; stage: string; reason: string; since: string }[];
};
type HeldRevision = { id: string; targetId: string; status: string; error: string; createdAt: string };
type Form = { name: string; kind: string; url: string; mode: string; rulesDir: string; configPath: string; tenant: string; prefix: string; token: string; enabled: boolean };
const empty: Form = { name: "", kind: "prometheus", url: "", mode: "file", rulesDir: "", configPath: "", tenant: "", prefix: "/prometheus", token: "", enabled: true };

function statusTone(s: string) {
  return s === "in_sync" ? "ok" : s === "failing" ? "bad" : s === "drifted" || s === "degraded" || s === "held" ? "warn" : "default";
}

/** "degraded (2 SLOs not deployed)", "in sync", "push held" … */
function statusLabel(t: Target) {
  if (t.status === "degraded") {
    // Alertmanager quarantines receivers (`team/slug`); rule targets quarantine SLOs.
    const receivers = t.quarantine.filter((q) => q.slo.includes("/")).length;
    const slos = t.quarantine.length - receivers;
    const parts = [slos ? `${slos} SLO${slos === 1 ? "" : "s"} not deployed` : "", receivers ? `${receivers} receiver${receivers === 1 ? "" : "s"} left out` : ""].filter(Boolean);
    return `degraded (${parts.join(", ")})`;
  }
  if (t.status === "held") return "push held";
  return t.status.replace("_", " ");
}

export default function TargetsPage() {
  const targets = useApi<List<Target>>(["targets"], "/api/v1/targets", { refetchInterval: 10_000 });
  const perm = useMe();
  const [editing, setEditing] = useState<Target | "new" | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const fe = useFieldErrors();
  const body = () => ({
    name: form.name, kind: form.kind, url: form.url, enabled: form.enabled,
    mode: form.kind === "grafana" ? "api" : form.kind === "mimir" ? "mimir" : "file",
    settings: form.kind === "prometheus" ? { rulesDir: form.rulesDir } : form.kind === "alertmanager" ? { configPath: form.configPath } : form.kind === "mimir" ? { tenant: form.tenant, prefix: form.prefix } : {},
    ...(form.token ? { token: form.token } : editing === "new" ? {} : {}),
  });
  const save = useApiMutation(
    () => (editing && editing !== "new" ? apiFetch(`/api/v1/targets/${editing.id}`, { method: "PUT", body: { ...body(), version: editing.version } }) : apiFetch("/api/v1/targets", { method: "POST", body: body() })),
    [["targets"]],
  );
  const sync = useApiMutation((id: string | null) => apiFetch(id ? `/api/v1/targets/${id}/sync?force=1` : "/api/v1/sync", { method: "POST" }), [["targets"], ["revisions"]]);
  const del = useApiMutation((id: string) => apiFetch(`/api/v1/targets/${id}`, { method: "DELETE" }), [["targets"]]);
  const held = useApi<List<HeldRevision>>(["revisions", "held"], "/api/v1/revisions?status=held", { refetchInterval: 10_000 });
  const confirmHeld = useApiMutation((v: { target: string; revisionId: string }) => apiFetch(`/api/v1/targets/${v.target}/confirm`, { method: "POST", body: { revisionId: v.revisionId } }), [["targets"], ["revisions"]]);
  const open = (t: Target | "new") => {
    fe.clear();
    setEditing(t);
    setForm(t === "new" ? empty : { ...empty, name: t.name, kind: t.kind, url: t.url, mode: t.mode, rulesDir: String(t.settings.rulesDir ?? ""), configPath: String(t.settings.configPath ?? ""), tenant: String(t.settings.tenant ?? ""), prefix: String(t.settings.prefix ?? "/prometheus"), enabled: t.enabled });
  };
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [k]: e.target.value });
  const err = (k: string) => fe.errors[k];
  return (
    <>
      <PageHead title="Push targets" subtitle="Where generated rules, Alertmanager config and dashboards go. The reconciler re-pushes on drift, with backoff." actions={<>{perm.canEditAny ? <button className="btn" onClick={() => sync.mutate(null)} disabled={sync.isPending}>{sync.isPending ? "Syncing…" : "Sync now"}</button> : null}{perm.isAdmin ? <button className="btn btn-primary" onClick={() => open("new")}>Add target</button> : null}</>} />
      <ErrorBox error={sync.error} title="Sync failed" />
      <ErrorBox error={confirmHeld.error} title="Could not confirm the held push" />
      {editing ? (
        <form className="card" onSubmit={(e) => { e.preventDefault(); fe.clear(); save.mutate(undefined, { onSuccess: () => setEditing(null), onError: fe.fromError }); }} noValidate aria-label="Target form">
          <h2>{editing === "new" ? "New push target" : `Edit ${editing.name}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="row">
            <Field label="Name" name="name" error={err("name")}><input id="name" type="text" value={form.name} className={cls(!!err("name"))} onChange={set("name")} /></Field>
            <Field label="Kind" name="kind" error={err("kind")}>
              <select id="kind" value={form.kind} onChange={set("kind")}>
                <option value="prometheus">Prometheus (rule files + reload)</option>
                <option value="alertmanager">Alertmanager (config file + reload)</option>
                <option value="mimir">Mimir / Cortex ruler API</option>
                <option value="grafana">Grafana (dashboards API)</option>
              </select>
            </Field>
            <Field label="URL" name="url" error={err("url")}><input id="url" type="url" value={form.url} placeholder="http://prometheus:9090" className={cls(!!err("url"))} onChange={set("url")} /></Field>
          </div>
          <div className="row">
            {form.kind === "prometheus" ? <Field label="Rules directory" name="settings.rulesDir" error={err("settings.rulesDir")} hint="Must be inside Prometheus' rule_files glob."><input id="settings.rulesDir" type="text" className={cls(!!err("settings.rulesDir"), "mono")} value={form.rulesDir} onChange={set("rulesDir")} /></Field> : null}
            {form.kind === "alertmanager" ? <Field label="Config file path" name="settings.configPath" error={err("settings.configPath")}><input id="settings.configPath" type="text" className={cls(!!err("settings.configPath"), "mono")} value={form.configPath} onChange={set("configPath")} /></Field> : null}
            {form.kind === "mimir" ? <><Field label="Tenant (X-Scope-OrgID)" name="settings.tenant" error={err("settings.tenant")}><input id="settings.tenant" type="text" value={form.tenant} className={cls(!!err("settings.tenant"))} onChange={set("tenant")} /></Field><Field label="API prefix" name="settings.prefix" error={err("settings.prefix")}><input id="settings.prefix" type="text" value={form.prefix} onChange={set("prefix")} /></Field></> : null}
            <Field label={form.kind === "grafana" ? "Service-account token" : "Bearer token (optional)"} name="token" error={err("token")} hint={editing !== "new" && editing.hasToken ? "A token is stored; leave empty to keep it." : "Stored encrypted; never shown again."}>
              <input id="token" type="password" autoComplete="off" value={form.token} onChange={set("token")} />
            </Field>
          </div>
          <FormActions pending={save.isPending} label="Save target" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      {targets.isLoading ? <div className="card"><Loading /></div> : null}
      <ErrorBox error={targets.error} title="Could not load targets" />
      {targets.data && targets.data.items.length === 0 ? <div className="card"><Empty title="No push targets" action={<button className="btn btn-primary" onClick={() => open("new")}>Add a target</button>}>Add a Prometheus rules directory, an Alertmanager config, a Mimir ruler or a Grafana instance.</Empty></div> : null}
      <div className="grid grid-2">
        {targets.data?.items.map((t) => (
          <div className="card" key={t.id} data-testid={`target-${t.name}`}>
            <div className="page-head" style={{ marginBottom: 8 }}>
              <div><h2 style={{ margin: 0 }}>{t.name}</h2><span className="muted">{t.kind} · {t.mode} · <span className="mono">{t.url}</span></span></div>
              <Badge tone={statusTone(t.status)}><span data-testid="target-status">{statusLabel(t)}</span></Badge>
            </div>
            {t.statusMessage && t.status !== "in_sync" && t.status !== "degraded" ? <div className={`alert ${t.status === "failing" ? "alert-error" : "alert-warn"}`} data-testid="target-error" style={{ whiteSpace: "pre-wrap" }}>{t.statusMessage}</div> : null}
            {t.quarantine.length ? (
              <div className="alert alert-warn" data-testid="target-quarantine">
                <strong>{t.kind === "alertmanager" ? "Receivers Alertmanager refused, left out of the configuration (the other receivers deploy):" : "Not deployed; the last good rules of these SLOs stay live:"}</strong>
                <ul style={{ margin: "4px 0 0 16px", padding: 0 }}>
                  {t.quarantine.map((q) => (
                    <li key={q.slo} data-testid={`quarantined-${q.slo}`}>{q.slo.includes("/") ? <span className="mono">{q.slo}</span> : <Link href={`/slos/${q.slo}`} className="mono">{q.slo}</Link>}: not deployed since {dateTime(Date.parse(q.since))}: {q.stage === "generate" ? "refused by validation" : `refused at ${q.stage}`}: {q.reason.split("\n")[0]?.slice(0, 300)}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            {t.status === "held" ? held.data?.items.filter((r) => r.targetId === t.id).slice(0, 1).map((r) => (
              <div key={r.id} className="alert alert-warn" data-testid="target-held">
                {perm.isAdmin ? (
                  <button className="btn btn-danger" style={{ marginTop: 6 }} disabled={confirmHeld.isPending} onClick={() => confirm(`Apply this push to ${t.name}? ${r.error}`) && confirmHeld.mutate({ target: t.id, revisionId: r.id })}>Confirm and push</button>
                ) : <span className="muted">An administrator must confirm this push.</span>}
              </div>
            )) : null}
            <dl className="kv">
              <dt>Last attempt</dt><dd>{t.lastAttemptAt ? dateTime(Date.parse(t.lastAttemptAt)) : "never"}</dd>
              <dt>Last success</dt><dd>{t.lastSuccessAt ? dateTime(Date.parse(t.lastSuccessAt)) : "never"}</dd>
              <dt>Last check</dt><dd>{t.lastSyncAt ? dateTime(Date.parse(t.lastSyncAt)) : "never"}</dd>
              {t.failureCount ? <><dt>Failures</dt><dd>{t.failureCount} in a row{t.nextAttemptAt ? `, next retry ${dateTime(Date.parse(t.nextAttemptAt))}` : ""}</dd></> : null}
              <dt>Token</dt><dd>{t.hasToken ? "stored (encrypted)" : "none"}</dd>
            </dl>
            <div className="btn-row" style={{ marginTop: 12 }}>
              {perm.canEditAny ? <button className="btn" onClick={() => sync.mutate(t.id)} disabled={sync.isPending}>Push now</button> : null}
              <Link className="btn" href={`/revisions?target=${t.id}`}>Revisions</Link>
              {perm.isAdmin ? <button className="btn" onClick={() => open(t)}>Edit</button> : null}
              {perm.isAdmin ? <button className="btn btn-danger" onClick={() => confirm(`Delete target ${t.name}? Files already pushed stay in place.`) && del.mutate(t.id)}>Delete</button> : null}
            </div>
          </div>
        ))}
      </div>
    </>
  );
}
