"use client";
import { SliResourceSchema, fieldErrors, formatMatchersText, goldenSignalTemplate, parseMatchersText, sliQueries, slugFromName, type SliSpec } from "@burnrate/domain";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState } from "react";
import { DataTable, FormActions, RowActions, cls, nestedError, useFieldErrors, useRowLimit } from "~/components/crud";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { List, Service, Sli } from "~/lib/types";
import { useMe } from "~/lib/me";


type Kind = SliSpec["kind"];
type Form = {
  slug: string; name: string; description: string; service: string; kind: Kind;
  metric: string; matchers: string; errorMatchers: string; thresholdSeconds: string; minPerSecond: string;
  query: string; threshold: string; errorQuery: string; goodQuery: string; totalQuery: string;
};
const empty: Form = { slug: "", name: "", description: "", service: "", kind: "availability", metric: "http_requests_total", matchers: "", errorMatchers: 'code=~"5.."', thresholdSeconds: "0.3", minPerSecond: "1", query: "", threshold: "0.9", errorQuery: "", goodQuery: "", totalQuery: "" };

const KIND_LABEL: Record<Kind, string> = { availability: "Errors (availability)", latency: "Latency (histogram)", throughput: "Traffic (throughput floor)", saturation: "Saturation (gauge threshold)", custom: "Custom PromQL" };

function toForm(s: Sli): Form {
  const f: Form = { ...empty, slug: s.slug, name: s.name, description: s.description, service: s.service, kind: s.spec.kind };
  const sp = s.spec;
  if (sp.kind === "availability") Object.assign(f, { metric: sp.metric, matchers: formatMatchersText(sp.matchers), errorMatchers: formatMatchersText(sp.errorMatchers) });
  if (sp.kind === "latency") Object.assign(f, { metric: sp.metric, matchers: formatMatchersText(sp.matchers), thresholdSeconds: String(sp.thresholdSeconds) });
  if (sp.kind === "throughput") Object.assign(f, { metric: sp.metric, matchers: formatMatchersText(sp.matchers), minPerSecond: String(sp.minPerSecond) });
  if (sp.kind === "saturation") Object.assign(f, { query: sp.query, threshold: String(sp.threshold) });
  if (sp.kind === "custom") Object.assign(f, { errorQuery: sp.errorQuery ?? "", goodQuery: sp.goodQuery ?? "", totalQuery: sp.totalQuery });
  return f;
}

/** Builds the API body; matcher text errors are reported as field errors. */
function toBody(f: Form): { body?: unknown; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const m = (k: "matchers" | "errorMatchers") => {
    const r = parseMatchersText(f[k]);
    if ("error" in r) {
      errors[`spec.${k}`] = r.error;
      return [];
    }
    return r.matchers;
  };
  const num = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));
  let spec: unknown;
  switch (f.kind) {
    case "availability": spec = { kind: f.kind, metric: f.metric, matchers: m("matchers"), errorMatchers: m("errorMatchers") }; break;
    case "latency": spec = { kind: f.kind, metric: f.metric, matchers: m("matchers"), thresholdSeconds: num(f.thresholdSeconds) }; break;
    case "throughput": spec = { kind: f.kind, metric: f.metric, matchers: m("matchers"), minPerSecond: num(f.minPerSecond) }; break;
    case "saturation": spec = { kind: f.kind, query: f.query, threshold: num(f.threshold) }; break;
    case "custom": spec = { kind: f.kind, totalQuery: f.totalQuery, ...(f.errorQuery.trim() ? { errorQuery: f.errorQuery } : {}), ...(f.goodQuery.trim() ? { goodQuery: f.goodQuery } : {}) }; break;
  }
  return { body: { slug: f.slug, name: f.name, description: f.description, service: f.service, spec }, errors };
}

function SlisInner() {
  const params = useSearchParams();
  const [service, setService] = useState(params.get("service") ?? "");
  const slis = useApi<List<Sli>>(["slis", service], `/api/v1/slis${service ? `?service=${encodeURIComponent(service)}` : ""}`);
  const services = useApi<List<Service>>(["services", ""], "/api/v1/services");
  const perm = useMe();
  const teamOf = (svc: string) => services.data?.items.find((x) => x.slug === svc)?.team;
  const [editing, setEditing] = useState<Sli | "new" | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const fe = useFieldErrors();
  const [slugTouched, setSlugTouched] = useState(false);
  const rows = useRowLimit(100);
  // A new SLI is for a service of a team the user edits: the filter's service if they may, else their first.
  const choosable = (services.data?.items ?? []).filter((x) => perm.canEdit(x.team) || (editing && editing !== "new" && x.slug === editing.service));
  const save = useApiMutation(
    (v: { body: unknown; version?: number }) =>
      editing && editing !== "new"
        ? apiFetch(`/api/v1/slis/${editing.id}`, { method: "PUT", body: { ...(v.body as object), version: v.version } })
        : apiFetch("/api/v1/slis", { method: "POST", body: v.body }),
    [["slis"], ["services"]],
  );
  const del = useApiMutation((id: string) => apiFetch(`/api/v1/slis/${id}`, { method: "DELETE" }), [["slis"]]);
  const open = (s: Sli | "new") => {
    fe.clear();
    setEditing(s);
    setSlugTouched(s !== "new");
    const mine = (services.data?.items ?? []).filter((x) => perm.canEdit(x.team));
    setForm(s === "new" ? { ...empty, service: mine.some((x) => x.slug === service) ? service : (mine[0]?.slug ?? "") } : toForm(s));
  };
  // Spec fields report errors as spec.<name>; the others by their own name.
  const errKey = (k: keyof Form) => (["slug", "name", "description", "service"].includes(k) ? k : `spec.${k}`);
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    fe.fix(errKey(k));
    if (k === "slug") setSlugTouched(true);
    if (k === "name" && !slugTouched) {
      fe.fix("slug");
      setForm({ ...form, name: e.target.value, slug: slugFromName(e.target.value) });
    } else setForm({ ...form, [k]: e.target.value });
  };
  const metricCheck = useMetricCheck(editing && (form.kind === "availability" || form.kind === "latency" || form.kind === "throughput") ? (form.kind === "latency" ? `${form.metric.trim()}_bucket` : form.metric.trim()) : "");
  const applyTemplate = (signal: "errors" | "latency" | "traffic" | "saturation") => {
    const svc = form.service || "my-service";
    const metric = signal === "latency" ? "http_request_duration_seconds" : signal === "saturation" ? "process_resident_memory_bytes" : "http_requests_total";
    const t = goldenSignalTemplate(signal, { metric, matchers: [{ label: "service", op: "=", value: svc }] });
    setForm(toForm({ id: "", slug: form.slug || slugFromName(`${svc} ${signal}`), name: form.name || `${svc} ${signal}`, description: form.description, service: form.service, serviceName: "", kind: t.kind, spec: t, version: 0 }));
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    fe.clear();
    const { body, errors } = toBody(form);
    const parsed = SliResourceSchema.safeParse(body);
    const all = { ...(parsed.success ? {} : fieldErrors(parsed.error)), ...errors };
    if (Object.keys(all).length) {
      fe.setErrors(all);
      fe.setFormError("Please fix the highlighted fields.");
      return;
    }
    save.mutate({ body, version: editing && editing !== "new" ? editing.version : undefined }, { onSuccess: () => setEditing(null), onError: fe.fromError });
  };
  const err = (k: string) => nestedError(fe.errors, `spec.${k}`);
  let preview: { errors: string; total: string } | null = null;
  {
    const { body } = toBody(form);
    const p = SliResourceSchema.safeParse(body);
    if (p.success) preview = sliQueries(p.data.spec, "5m");
  }

  return (
    <>
      <PageHead title="SLIs" subtitle="Service level indicators: what good and total events mean for a service." actions={perm.canEditAny ? <button className="btn btn-primary" onClick={() => open("new")} disabled={!services.data?.items.length}>New SLI</button> : undefined} />
      {editing ? (
        <form className="card" onSubmit={submit} noValidate aria-label="SLI form">
          <h2>{editing === "new" ? "New SLI" : `Edit ${editing.name}`}</h2>
          {fe.formError ? <div className="alert alert-error" role="alert">{fe.formError}</div> : null}
          <div className="btn-row" style={{ marginBottom: 14 }}>
            <span className="muted" style={{ alignSelf: "center" }}>Four Golden Signals templates:</span>
            {(["errors", "latency", "traffic", "saturation"] as const).map((s) => <button key={s} type="button" className="btn" onClick={() => applyTemplate(s)}>{s}</button>)}
          </div>
          <div className="row">
            <Field label="Service" name="service" error={fe.errors.service}>
              <select id="service" value={form.service} onChange={set("service")} disabled={editing !== "new"} className={cls(!!fe.errors.service)}>
                <option value="">Choose a service…</option>
                {choosable.map((s) => <option key={s.slug} value={s.slug}>{s.name} ({s.teamName})</option>)}
              </select>
            </Field>
            <Field label="Name" name="name" error={fe.errors.name}><input id="name" type="text" value={form.name} className={cls(!!fe.errors.name)} onChange={set("name")} /></Field>
            <Field label="Slug" name="slug" error={fe.errors.slug}><input id="slug" type="text" value={form.slug} className={cls(!!fe.errors.slug)} onChange={set("slug")} /></Field>
          </div>
          <Field label="Kind" name="kind" error={fe.errors["spec.kind"]}>
            <select id="kind" value={form.kind} onChange={set("kind")}>
              {(Object.keys(KIND_LABEL) as Kind[]).map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
            </select>
          </Field>
          {form.kind === "availability" || form.kind === "latency" || form.kind === "throughput" ? (
            <div className="row">
              <Field label={form.kind === "latency" ? "Histogram metric (base name)" : "Counter metric"} name="metric" error={err("metric")} hint={<MetricHint check={metricCheck} onPick={(n) => { fe.fix("spec.metric"); setForm({ ...form, metric: form.kind === "latency" ? n.replace(/_bucket$/, "") : n }); }} />}>
                <input id="metric" type="text" className={cls(!!err("metric"), "mono")} value={form.metric} onChange={set("metric")} />
              </Field>
              <Field label="Label matchers" name="matchers" error={err("matchers")} hint='e.g. job="api", service="checkout"'>
                <input id="matchers" type="text" className={cls(!!err("matchers"), "mono")} value={form.matchers} onChange={set("matchers")} />
              </Field>
            </div>
          ) : null}
          {form.kind === "availability" ? (
            <Field label="Error matchers" name="errorMatchers" error={err("errorMatchers")} hint='Which requests are errors, e.g. code=~"5.."'>
              <input id="errorMatchers" type="text" className={cls(!!err("errorMatchers"), "mono")} value={form.errorMatchers} onChange={set("errorMatchers")} />
            </Field>
          ) : null}
          {form.kind === "latency" ? (
            <Field label="Threshold (seconds)" name="thresholdSeconds" error={err("thresholdSeconds")} hint="Must equal a histogram bucket boundary (le).">
              <input id="thresholdSeconds" type="number" step="any" className={cls(!!err("thresholdSeconds"))} value={form.thresholdSeconds} onChange={set("thresholdSeconds")} />
            </Field>
          ) : null}
          {form.kind === "throughput" ? (
            <Field label="Minimum requests per second" name="minPerSecond" error={err("minPerSecond")}>
              <input id="minPerSecond" type="number" step="any" className={cls(!!err("minPerSecond"))} value={form.minPerSecond} onChange={set("minPerSecond")} />
            </Field>
          ) : null}
          {form.kind === "saturation" ? (
            <div className="row">
              <Field label="Gauge query (PromQL)" name="query" error={err("query")}><textarea id="query" className={cls(!!err("query"), "mono")} value={form.query} onChange={set("query")} /></Field>
              <Field label="Bad above" name="threshold" error={err("threshold")}><input id="threshold" type="number" step="any" value={form.threshold} onChange={set("threshold")} /></Field>
            </div>
          ) : null}
          {form.kind === "custom" ? (
            <>
              <Field label="Error events query" name="errorQuery" error={err("errorQuery")} hint="PromQL with {{.window}} for the range, e.g. sum(rate(http_requests_total{code=~&quot;5..&quot;}[{{.window}}]))">
                <textarea id="errorQuery" className={cls(!!err("errorQuery"), "mono")} value={form.errorQuery} onChange={set("errorQuery")} />
              </Field>
              <Field label="…or good events query" name="goodQuery" error={err("goodQuery")}>
                <textarea id="goodQuery" className={cls(!!err("goodQuery"), "mono")} value={form.goodQuery} onChange={set("goodQuery")} />
              </Field>
              <Field label="Total events query" name="totalQuery" error={err("totalQuery")}>
                <textarea id="totalQuery" className={cls(!!err("totalQuery"), "mono")} value={form.totalQuery} onChange={set("totalQuery")} />
              </Field>
            </>
          ) : null}
          <Field label="Description" name="description" error={fe.errors.description}><textarea id="description" value={form.description} onChange={set("description")} /></Field>
          {preview ? (
            <div className="field">
              <label>Generated queries (5m)</label>
              <pre className="code" data-testid="sli-preview">{`errors: ${preview.errors}\ntotal:  ${preview.total}`}</pre>
            </div>
          ) : null}
          <FormActions pending={save.isPending} label="Save SLI" onCancel={() => setEditing(null)} />
        </form>
      ) : null}
      <div className="card">
        <div className="filters">
          <select aria-label="Filter by service" value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">All services</option>
            {services.data?.items.map((s) => <option key={s.slug} value={s.slug}>{s.name}</option>)}
          </select>
        </div>
        <ErrorBox error={slis.error} title="Could not load SLIs" />
        <ErrorBox error={del.error} title="Could not delete" />
        {slis.isLoading ? <Loading /> : null}
        {slis.data && slis.data.items.length === 0 ? (
          <Empty title="No SLIs yet" action={!perm.canEditAny ? undefined : services.data?.items.length ? <button className="btn btn-primary" onClick={() => open("new")}>Define an SLI</button> : <Link className="btn btn-primary" href="/services">Add a service first</Link>}>
            Pick a Four Golden Signals template or write PromQL.
          </Empty>
        ) : null}
        {slis.data && slis.data.items.length > 0 ? (
          <DataTable head={["SLI", "Service", "Kind", "SLOs", ""]}>
            {rows.take(slis.data.items).map((s) => (
              <tr key={s.id} data-testid={`sli-${s.service}-${s.slug}`}>
                <td><strong>{s.name}</strong><div className="muted mono">{s.slug}</div></td>
                <td>{s.serviceName}</td>
                <td><Badge tone="info">{s.kind}</Badge></td>
                <td>{s.sloCount ?? 0}</td>
                <RowActions>
                  {perm.canEdit(teamOf(s.service)) ? <button className="btn" onClick={() => open(s)}>Edit</button> : null}
                  {perm.canEdit(teamOf(s.service)) ? <button className="btn btn-danger" onClick={() => confirm(`Delete SLI ${s.name}?`) && del.mutate(s.id)}>Delete</button> : null}
                </RowActions>
              </tr>
            ))}
          </DataTable>
        ) : null}
        {slis.data ? rows.footer(slis.data.items.length) : null}
      </div>
    </>
  );
}

type MetricCheck = { name: string; status: "found" | "missing" | "unavailable"; series: number | null; suggestions: string[]; error: string | null };

/** Asks Prometheus (through the API) whether a metric has series, 600 ms after the user stops typing. */
function useMetricCheck(name: string) {
  const [debounced, setDebounced] = useState(name);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(name), 600);
    return () => clearTimeout(t);
  }, [name]);
  const valid = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(debounced);
  return useApi<MetricCheck>(["metric-check", debounced], valid ? `/api/v1/metrics/check?name=${encodeURIComponent(debounced)}` : null, { staleTime: 30_000, retry: false }).data ?? null;
}

function MetricHint({ check, onPick }: { check: MetricCheck | null; onPick: (name: string) => void }) {
  if (!check || check.status === "found") return check ? <span data-testid="metric-found">{check.series} series in Prometheus.</span> : null;
  if (check.status === "unavailable") return <span>Could not check the metric in Prometheus{check.error ? `: ${check.error}` : ""}.</span>;
  return (
    <span className="field-warning" role="status" data-testid="metric-missing" style={{ color: "var(--warn)" }}>
      No series found for <code>{check.name}</code> in Prometheus.{" "}
      {check.suggestions.length ? <>Did you mean {check.suggestions.map((n, i) => <span key={n}>{i ? ", " : ""}<button type="button" className="btn" style={{ padding: "0 6px", fontSize: 12 }} onClick={() => onPick(n)}>{n}</button></span>)}?</> : "Check the name, or save anyway if it appears only after the next deploy."}
    </span>
  );
}

export default function SlisPage() {
  return (
    <Suspense fallback={<Loading />}>
      <SlisInner />
    </Suspense>
  );
}
