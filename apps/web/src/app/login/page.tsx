"use client";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { Field } from "~/components/ui";
import { ApiClientError, apiFetch } from "~/lib/api-client";

function LoginInner() {
  const next = useSearchParams().get("next") ?? "/";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await apiFetch("/api/auth/login", { method: "POST", body: { email, password } });
      window.location.assign(next.startsWith("/") && !next.startsWith("//") ? next : "/");
    } catch (err) {
      setError(err instanceof ApiClientError ? err.message : "Sign-in failed");
      setBusy(false);
    }
  };
  return (
    <div style={{ maxWidth: 400, margin: "8vh auto" }}>
      <form className="card" onSubmit={submit} aria-label="Sign in">
        <h2>Sign in to Burnrate</h2>
        {error ? <div className="alert alert-error" role="alert">{error}</div> : null}
        <Field label="Email" name="email"><input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} /></Field>
        <Field label="Password" name="password"><input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></Field>
        <button className="btn btn-primary" type="submit" disabled={busy} style={{ width: "100%", justifyContent: "center" }}>{busy ? "Signing in…" : "Sign in"}</button>
        <p className="hint">The demo prints its accounts when it starts (admin, viewer, and one editor per team).</p>
      </form>
    </div>
  );
}

export default function LoginPage() {
  return <Suspense><LoginInner /></Suspense>;
}
