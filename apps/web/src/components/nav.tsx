"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS: { title: string; links: { href: string; label: string }[] }[] = [
  { title: "Operate", links: [{ href: "/", label: "On-call board" }, { href: "/reports", label: "Error budget report" }, { href: "/dora", label: "DORA" }] },
  { title: "Define", links: [{ href: "/slos", label: "SLOs" }, { href: "/slis", label: "SLIs" }, { href: "/services", label: "Services" }, { href: "/teams", label: "Teams" }, { href: "/policies", label: "Policies" }] },
  { title: "Deliver", links: [{ href: "/targets", label: "Push targets" }, { href: "/revisions", label: "Revisions" }, { href: "/audit", label: "Audit log" }] },
];

export function Nav() {
  const path = usePathname();
  const active = (href: string) => (href === "/" ? path === "/" : path.startsWith(href));
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden /> Burnrate
      </div>
      {SECTIONS.map((s) => (
        <nav className="nav" key={s.title} aria-label={s.title}>
          <div className="nav-section">{s.title}</div>
          {s.links.map((l) => (
            <Link key={l.href} href={l.href} className={active(l.href) ? "active" : undefined}>
              {l.label}
            </Link>
          ))}
        </nav>
      ))}
    </aside>
  );
}
