"use client";
import { ErrorBox, Loading } from "~/components/ui";
import { useApi } from "~/lib/api-client";

type Preview = { path: string; desired: string; live: string | null; liveSource: string; differs: boolean; diff: { op: " " | "+" | "-"; line: string }[] };

/** Generated rule file for one SLO, and a line diff against what is live on the push target. */
export function SloArtifacts({ slug }: { slug: string }) {
  const p = useApi<Preview>(["slo-rules", slug], `/api/v1/slos/${slug}/rules`);
  if (p.isLoading) return <Loading />;
  if (p.error) return <ErrorBox error={p.error} title="The rules of this SLO cannot be generated; its last good rules stay live" />;
  if (!p.data) return null;
  // Formatting-only differences (header comments, quoting) do not count: the server compares the parsed rules.
  const changed = p.data.differs;
  return (
    <div className="card">
      <h2>{p.data.path}</h2>
      <p className="muted">
        {p.data.live === null ? `Not live yet (${p.data.liveSource}).` : changed ? `Differs from the live file (${p.data.liveSource}); the next push applies this diff.` : `Identical to the live file (${p.data.liveSource}).`}
      </p>
      <pre className="code" data-testid="rules-diff">
        {p.data.diff.map((d, i) => (
          <div key={i} className={d.op === "+" ? "diff-add" : d.op === "-" ? "diff-del" : undefined}>{`${d.op} ${d.line}`}</div>
        ))}
      </pre>
    </div>
  );
}
