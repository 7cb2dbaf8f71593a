"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { apiFetch } from "~/lib/api-client";
import { useMe } from "~/lib/me";

const SECTIONS: { title: string; links: { href: string; label: string }[] }[] = [
  { title: "Operate", links: [{ href: "/", label: "On-call board" }, { href: "/reports", label: "Error budget report" }, { href: "/dora", label: "DORA" }, { href: "/incidents", label: "Incidents" }] },
  { title: "Define", links: [{ href: "/slos", label: "SLOs" }, { href: "/slis", label: "SLIs" }, { href: "/services", label: "Services" }, { href: "/teams", label: "Teams" }, { href: "/policies", label: "Policies" }, { href: "/receivers", label: "Alert receivers" }] },
  { title: "Deliver", links: [{ href: "/targets", label: "Push targets" }, { href: "/revisions", label: "Revisions" }, { href: "/audit", label: "Audit log" }] },
  { title: "Access", links: [{ href: "/users", label: "Users and roles" }, { href: "/settings", label: "API tokens" }] },
];

export function Nav() {
  const path = usePathname();
  const { me } = useMe();
  if (path === "/login") return <aside className="sidebar"><div className="brand"><span className="brand-mark" aria-hidden /> Burnrate</div></aside>;
  const active = (href: string) => (href === "/" ? path === "/" : path.startsWith(href));
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden /> Burnrate
      </div>
      {SECTIONS.map((s) => (
        <nav className="nav" key={s.title} aria-label={s.title}>
          <div className="nav-section">{s.title}</div>
          {s.links.filter((l) => l.href !== "/users" || !me || me.isAdmin || !me.authEnabled).map((l) => (
            <Link key={l.href} href={l.href} className={active(l.href) ? "active" : undefined}>
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
    </aside>
  );
}
