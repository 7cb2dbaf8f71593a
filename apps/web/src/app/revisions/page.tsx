"use client";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { DataTable } from "~/components/crud";
import { dateTime } from "~/components/format";
import { Badge, Empty, ErrorBox, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import type { List } from "~/lib/types";

type Rev = { id: string; targetId: string; hash: string; status: string; error: string; failedStage: string | null; triggeredBy: string; reason: string; rollbackOf: string | null; createdAt: string; target: { name: string; kind: string }; quarantined?: { slo: string; stage: string; reason: string; since: string }[] };
type RevDetail = Rev & { diffs: { path: string; diff: { op: string; line: string }[] }[]; previousId: string | null };

const tone = (s: string) => (s === "applied" ? "ok" : s === "failed" ? "bad" : s === "superseded" ? "default" : s === "held" ? "warn" : "info");

function RevisionsInner() {
  const target = useSearchParams().get("target");
  const revs = useApi<List<Rev>>(["revisions", target], `/api/v1/revisions${target ? `?target=${target}` : ""}`, { refetchInterval: 10_000 });
  const [open, setOpen] = useState<string | null>(null);
  const detail = useApi<RevDetail>(["revision", open], open ? `/api/v1/revisions/${open}` : null);
  const rollback = useApiMutation((id: string) => apiFetch(`/api/v1/revisions/${id}/rollback`, { method: "POST" }), [["revisions"], ["targets"]]);
  return (
    <>
      <PageHead title="Revisions" subtitle="Every push: what was generated, who triggered it, and the result. Roll back to any revision that was live." />
      <ErrorBox error={revs.error} title="Could not load revisions" />
      <ErrorBox error={rollback.error} title="Rollback failed" />
      <div className="card">
        {revs.isLoading ? <Loading /> : null}
        {revs.data && revs.data.items.length === 0 ? <Empty title="No pushes yet">Revisions appear after the first push to a target.</Empty> : null}
        {revs.data && revs.data.items.length > 0 ? (
          <DataTable head={["When", "Target", "Status", "Triggered by", "Reason", "Hash", ""]}>
            {revs.data.items.map((r) => (
              <tr key={r.id} data-testid={`revision-${r.id}`}>
                <td>{dateTime(Date.parse(r.createdAt))}</td>
                <td>{r.target.name}</td>
                <td><Badge tone={tone(r.status)}>{r.status}</Badge>{r.status === "failed" ? <div className="field-error" style={{ maxWidth: 380, whiteSpace: "pre-wrap" }}>push failed at {r.failedStage}: {r.error.slice(0, 300)}</div> : null}{r.status === "held" ? <div className="muted" style={{ maxWidth: 380 }}>{r.error}</div> : null}{r.quarantined?.length ? <div className="field-error" data-testid="revision-quarantined" style={{ maxWidth: 380, whiteSpace: "pre-wrap" }}>{r.quarantined.map((q) => `${q.slo}: not deployed since ${dateTime(Date.parse(q.since))}: ${q.stage === "generate" ? "refused by validation" : `refused at ${q.stage}`}: ${q.reason.split("\n")[0]?.slice(0, 500)}`).join("\n")}</div> : null}</td>
                <td>{r.triggeredBy}</td>
                <td className="muted">{r.reason}</td>
                <td className="mono">{r.hash.slice(0, 10)}</td>
                <td><div className="btn-row"><button className="btn" onClick={() => setOpen(open === r.id ? null : r.id)}>{open === r.id ? "Hide diff" : "Diff"}</button>{r.status === "superseded" ? <button className="btn" onClick={() => confirm("Push this revision's artifacts again?") && rollback.mutate(r.id)}>Roll back to this</button> : null}</div></td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </div>
      {open ? (
        <div className="card">
          <h2>Changes in revision {open.slice(0, 8)}</h2>
          {detail.isLoading ? <Loading /> : null}
          {detail.data && detail.data.diffs.length === 0 ? <p className="muted">Identical to the previous revision.</p> : null}
          {detail.data?.diffs.map((f) => (
            <div key={f.path}>
              <h3 className="mono" style={{ fontSize: 13 }}>{f.path}</h3>
              <pre className="code">{f.diff.filter((l, i, all) => l.op !== " " || all.slice(Math.max(0, i - 2), i + 3).some((x) => x.op !== " ")).map((l, i) => <div key={i} className={l.op === "+" ? "diff-add" : l.op === "-" ? "diff-del" : undefined}>{`${l.op} ${l.line}`}</div>)}</pre>
            </div>
          ))}
        </div>
      ) : null}
    </>
  );
}

export default function RevisionsPage() {
  return <Suspense fallback={<Loading />}><RevisionsInner /></Suspense>;
}
