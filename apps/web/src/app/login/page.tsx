"use client";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { Field, Loading } from "~/components/ui";
import { ApiClientError, apiFetch, useApi } from "~/lib/api-client";

type Providers = { password: boolean; oidc: { name: string; start: string } | null };

function LoginInner() {
  const params = useSearchParams();
  const next = params.get("next") ?? "/";
  const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  const providers = useApi<Providers>(["auth-providers"], "/api/auth/providers", { retry: false });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(params.get("error"));
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await apiFetch("/api/auth/login", { method: "POST", body: { email, password } });
      window.location.assign(safeNext);
    } catch (err) {
      setError(err instanceof ApiClientError ? err.message : "Sign-in failed");
      setBusy(false);
    }
  };
  const p = providers.data;
  // If the providers endpoint fails, still offer the password form (the server decides).
  const showPassword = !p || p.password;
  return (
    <div style={{ maxWidth: 400, margin: "8vh auto" }}>
      <div className="card" aria-label="Sign in" role="region">
        <h2>Sign in to Burnrate</h2>
        {error ? <div className="alert alert-error" role="alert">{error}</div> : null}
        {providers.isLoading ? <Loading /> : null}
        {p?.oidc ? (
          <a className="btn btn-primary" href={`${p.oidc.start}?next=${encodeURIComponent(safeNext)}`} style={{ width: "100%", justifyContent: "center" }} data-testid="sso-login">
            Sign in with {p.oidc.name}
          </a>
        ) : null}
        {p?.oidc && showPassword ? <div className="login-divider"><span>or with a Burnrate password</span></div> : null}
        {showPassword && !providers.isLoading ? (
          <form onSubmit={submit} aria-label="Password sign-in">
            <Field label="Email" name="email"><input id="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} /></Field>
            <Field label="Password" name="password"><input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></Field>
            <button className={p?.oidc ? "btn" : "btn btn-primary"} type="submit" disabled={busy} style={{ width: "100%", justifyContent: "center" }}>{busy ? "Signing in…" : "Sign in"}</button>
          </form>
        ) : null}
        {p && !p.password && !p.oidc ? <p className="hint">No sign-in method is enabled: set BURNRATE_PASSWORD_LOGIN=on or configure BURNRATE_OIDC_ISSUER.</p> : null}
        {showPassword ? <p className="hint">The demo prints its accounts when it starts (admin, viewer, and one editor per team).</p> : null}
      </div>
    </div>
  );
}

export default function LoginPage() {
  return <Suspense><LoginInner /></Suspense>;
}
