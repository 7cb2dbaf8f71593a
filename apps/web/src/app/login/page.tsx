"use client";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { Field, Loading } from "~/components/ui";
import { ApiClientError, apiFetch, useApi } from "~/lib/api-client";

type Providers = { password: boolean; oidc: { name: string; start: string } | null; error: string | null };

function LoginInner() {
  const params = useSearchParams();
  const safeNext = sameSitePath(params.get("next"));
  const providers = useApi<Providers>(["auth-providers", "login"], "/api/auth/providers", { retry: false, staleTime: Infinity, refetchOnWindowFocus: false });
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
      window.location.assign(safeNext);
    } catch (err) {
      setError(err instanceof ApiClientError ? err.message : "Sign-in failed");
      setBusy(false);
    }
  };
  const p = providers.data;
  // A failed SSO round trip comes back with ?sso=failed; the reason comes from the server.
  const shownError = error ?? (params.get("sso") === "failed" ? (p?.error ?? (p ? "Single sign-on failed; try again" : null)) : null);
  // If the providers endpoint fails, still offer the password form (the server decides).
  const showPassword = !p || p.password;
  return (
    <div style={{ maxWidth: 400, margin: "8vh auto" }}>
      <div className="card" aria-label="Sign in" role="region">
        <h2>Sign in to Burnrate</h2>
        {shownError ? <div className="alert alert-error" role="alert">{shownError}</div> : null}
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

/** The `next` path if it stays on this site once the browser resolves it, else "/" (no open redirects). */
function sameSitePath(next: string | null): string {
  if (!next || !next.startsWith("/") || typeof window === "undefined") return "/";
  try {
    const u = new URL(next, window.location.origin);
    return u.origin === window.location.origin ? `${u.pathname}${u.search}${u.hash}` : "/";
  } catch {
    return "/";
  }
}
