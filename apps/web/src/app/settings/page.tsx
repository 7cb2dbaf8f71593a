"use client";
import { useState } from "react";
import { dateTime } from "~/components/format";
import { Badge, Empty, ErrorBox, Field, Loading, PageHead } from "~/components/ui";
import { apiFetch, useApi, useApiMutation } from "~/lib/api-client";
import { useMe } from "~/lib/me";
import type { List } from "~/lib/types";

type Token = { id: string; name: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null };
const EXPIRY = [{ v: "30", label: "30 days" }, { v: "90", label: "90 days" }, { v: "365", label: "1 year" }, { v: "never", label: "Never (not recommended)" }];

export default function SettingsPage() {
  const { me } = useMe();
  const tokens = useApi<List<Token>>(["tokens"], "/api/v1/tokens");
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("90");
  const [fresh, setFresh] = useState<string | null>(null);
  const create = useApiMutation((n: string) => apiFetch<{ token: string }>("/api/v1/tokens", { method: "POST", body: { name: n, expiresInDays: expiry === "never" ? null : Number(expiry) } }), [["tokens"]]);
  const revoke = useApiMutation((id: string) => apiFetch(`/api/v1/tokens/${id}`, { method: "DELETE" }), [["tokens"]]);
  return (
    <>
      <PageHead title="API tokens" subtitle={me ? `Tokens act as ${me.email || me.name} with the same roles. Use them from CI: Authorization: Bearer <token>.` : "Tokens for CI and automation"} />
      <form className="card" onSubmit={(e) => { e.preventDefault(); create.mutate(name, { onSuccess: (r) => { setFresh(r.token); setName(""); } }); }}>
        <h2>New token</h2>
        <ErrorBox error={create.error} />
        {fresh ? <div className="alert alert-ok" role="status">Copy this token now, it is not shown again: <code data-testid="new-token">{fresh}</code></div> : null}
        <div className="row" style={{ alignItems: "end" }}>
          <Field label="Name" name="token-name" hint="e.g. github-actions-deploy"><input id="token-name" type="text" value={name} onChange={(e) => setName(e.target.value)} /></Field>
          <Field label="Expires after" name="token-expiry">
            <select id="token-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>{EXPIRY.map((x) => <option key={x.v} value={x.v}>{x.label}</option>)}</select>
          </Field>
          <div className="field"><button className="btn btn-primary" type="submit" disabled={create.isPending || !name.trim()}>Create token</button></div>
        </div>
      </form>
      <div className="card">
        <ErrorBox error={tokens.error} title="Could not load tokens" />
        {tokens.isLoading ? <Loading /> : null}
        {tokens.data && tokens.data.items.length === 0 ? <Empty title="No tokens yet" /> : null}
        {tokens.data && tokens.data.items.length > 0 ? (
          <table><thead><tr><th>Name</th><th>Created</th><th>Last used</th><th>Expires</th><th /></tr></thead>
            <tbody>{tokens.data.items.map((t) => <tr key={t.id}><td>{t.name}</td><td>{dateTime(Date.parse(t.createdAt))}</td><td>{t.lastUsedAt ? dateTime(Date.parse(t.lastUsedAt)) : "never"}</td><td>{expiryCell(t.expiresAt)}</td><td><button className="btn btn-danger" onClick={() => revoke.mutate(t.id)}>Revoke</button></td></tr>)}</tbody>
          </table>
        ) : null}
      </div>
    </>
  );
}

function expiryCell(expiresAt: string | null) {
  if (!expiresAt) return <span className="muted">never</span>;
  const at = Date.parse(expiresAt);
  if (at <= Date.now()) return <Badge tone="bad">expired {dateTime(at)}</Badge>;
  return at - Date.now() < 7 * 86_400_000 ? <Badge tone="warn">{dateTime(at)}</Badge> : dateTime(at);
}
