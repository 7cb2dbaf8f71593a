"use client";
import { useState } from "react";
import { Badge, ErrorBox } from "~/components/ui";
import { ApiClientError } from "~/lib/api-client";

type PlanEntry = { slug: string; service: string; objective: number; window: string; kind: string; action: string; sli: { slug: string; action: string; reason?: string }; warnings: string[] };
type Plan = { applied: boolean; plan: PlanEntry[]; problems: { path: string; message: string }[] };
const conflicted = (p: PlanEntry) => p.action === "conflict" || p.sli.action === "conflict";

/** Export links and an OpenSLO/Sloth import with a validate-then-apply flow. */
export function ImportExport({ canImport, onImported }: { canImport: boolean; onImported: () => void }) {
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState("openslo");
  const [text, setText] = useState("");
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<ApiClientError | Error | null>(null);
  const [busy, setBusy] = useState(false);
  const call = async (apply: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/v1/import?format=${format}${apply ? "&apply=1" : ""}`, { method: "POST", headers: { "content-type": "application/yaml" }, body: text });
      const body = (await res.json()) as Plan & { error?: { code: string; message: string; fields?: Record<string, string> } };
      if (!res.ok) throw new ApiClientError(res.status, body.error?.code ?? "error", body.error?.message ?? `HTTP ${res.status}`, body.error?.fields ?? {});
      setPlan(body);
      if (apply) onImported();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card no-print">
      <div className="btn-row" style={{ alignItems: "center" }}>
        <strong>Export</strong>
        {["openslo", "sloth", "prometheusrule", "mimir"].map((f) => <a key={f} className="btn" href={`/api/v1/export?format=${f}`} download>{f === "prometheusrule" ? "PrometheusRule" : f === "openslo" ? "OpenSLO" : f === "sloth" ? "Sloth" : "Mimir"}</a>)}
        {canImport ? <button className="btn" onClick={() => setOpen(!open)}>{open ? "Close import" : "Import OpenSLO / Sloth…"}</button> : null}
      </div>
      {open ? (
        <div style={{ marginTop: 14 }}>
          <div className="row">
            <div className="field" style={{ maxWidth: 200 }}><label htmlFor="import-format">Format</label><select id="import-format" value={format} onChange={(e) => { setFormat(e.target.value); setPlan(null); }}><option value="openslo">OpenSLO v1</option><option value="sloth">Sloth prometheus/v1</option></select></div>
          </div>
          <div className="field"><label htmlFor="import-text">YAML</label><textarea id="import-text" className="mono" style={{ minHeight: 160 }} value={text} onChange={(e) => { setText(e.target.value); setPlan(null); }} /></div>
          <ErrorBox error={error} title="Import rejected" />
          {error instanceof ApiClientError && Object.keys(error.fields).length > 1 ? <ul className="field-error">{Object.entries(error.fields).slice(0, 10).map(([k, v]) => <li key={k}><code>{k}</code>: {v}</li>)}</ul> : null}
          {plan ? (
            <div className={`alert ${plan.applied ? "alert-ok" : "alert-warn"}`}>
              {plan.applied ? `Imported ${plan.plan.length} SLO(s).` : `Valid. ${plan.plan.filter((p) => p.action === "create").length} SLO(s) would be created${plan.plan.some(conflicted) ? ", some slugs already exist with another definition" : ""}.`}
              <ul>
                {plan.plan.map((p) => (
                  <li key={p.slug}>
                    <code>{p.slug}</code> on {p.service}: {p.objective}% / {p.window} ({p.kind}) <Badge tone={p.action === "create" ? "ok" : "bad"}>{p.action}</Badge>{" "}
                    SLI <code>{p.sli.slug}</code> <Badge tone={p.sli.action === "conflict" ? "bad" : "ok"}>{p.sli.action}</Badge>
                    {p.sli.reason ? <div className="field-error">{p.sli.reason}</div> : null}
                    {p.warnings.map((w) => <div key={w} className="muted">{w}</div>)}
                  </li>
                ))}
              </ul>
              {plan.problems.map((p) => <div key={p.path} className="field-error">{p.path}: {p.message}</div>)}
            </div>
          ) : null}
          <div className="btn-row">
            <button className="btn" disabled={busy || !text.trim()} onClick={() => void call(false)}>Validate</button>
            <button className="btn btn-primary" disabled={busy || !plan || plan.applied || plan.problems.length > 0 || plan.plan.some(conflicted)} onClick={() => void call(true)}>Import</button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
