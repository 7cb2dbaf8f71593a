"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "~/lib/api-client";
import { useMe } from "~/lib/me";
import { THEME_COOKIE, nextTheme, type Theme } from "~/lib/theme";

const SECTIONS: { title: string; links: { href: string; label: string }[] }[] = [
  { title: "Operate", links: [{ href: "/", label: "On-call board" }, { href: "/reports", label: "Error budget report" }, { href: "/dora", label: "DORA" }, { href: "/incidents", label: "Incidents" }] },
  { title: "Define", links: [{ href: "/slos", label: "SLOs" }, { href: "/slis", label: "SLIs" }, { href: "/services", label: "Services" }, { href: "/teams", label: "Teams" }, { href: "/policies", label: "Policies" }, { href: "/receivers", label: "Alert receivers" }] },
  { title: "Deliver", links: [{ href: "/targets", label: "Push targets" }, { href: "/revisions", label: "Revisions" }, { href: "/audit", label: "Audit log" }] },
  { title: "Access", links: [{ href: "/users", label: "Users and roles" }, { href: "/settings", label: "API tokens" }] },
];

/** Light / dark / follow the OS; the choice is kept in a cookie so the server renders it (no inline script). */
function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const change = () => {
    const t = nextTheme(theme);
    setTheme(t);
    if (t === "system") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", t);
    document.cookie = `${THEME_COOKIE}=${t}; path=/; max-age=${t === "system" ? 0 : 31_536_000}; samesite=lax`;
  };
  return (
    <button type="button" className="btn theme-toggle" data-testid="theme-toggle" onClick={change} title="Colour theme: follow the system, light or dark">
      Theme: {theme === "system" ? "system" : theme}
    </button>
  );
}

export function Nav({ theme = "system" }: { theme?: Theme }) {
  const path = usePathname();
  const { me } = useMe();
  // On a phone the navigation is a menu that closes when a link is followed.
  const [open, setOpen] = useState(false);
  if (path === "/login") return <aside className="sidebar"><div className="brand"><span className="brand-mark" aria-hidden /> Burnrate</div></aside>;
  const active = (href: string) => (href === "/" ? path === "/" : path.startsWith(href));
  return (
    <aside className={`sidebar${open ? " open" : ""}`}>
      <div className="brand">
        <span className="brand-mark" aria-hidden /> Burnrate
      </div>
      <button type="button" className="btn nav-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>{open ? "Close" : "Menu"}</button>
      {SECTIONS.map((s) => (
        <nav className="nav" key={s.title} aria-label={s.title} id={s.title === "Operate" ? "main-nav" : undefined}>
          <div className="nav-section">{s.title}</div>
          {s.links.filter((l) => l.href !== "/users" || !me || me.isAdmin || !me.authEnabled).map((l) => (
            <Link key={l.href} href={l.href} className={active(l.href) ? "active" : undefined} onClick={() => setOpen(false)}>
              {l.label}
            </Link>
          ))}
        </nav>
      ))}
      {me && me.authEnabled ? (
        <div className="nav-user" data-testid="nav-user">
          <div>{me.name}</div>
          <div className="muted">{me.isAdmin ? "administrator" : Object.entries(me.roles).map(([t, r]) => `${r} · ${t}`).join(", ") || "no team roles"}</div>
          <button className="btn" onClick={() => void apiFetch("/api/auth/logout", { method: "POST" }).then(() => window.location.assign("/login"))}>Sign out</button>
        </div>
      ) : null}
      <ThemeToggle initial={theme} />
    </aside>
  );
}
