import "server-only";
import {
  exportOpenSlo,
  exportSloth,
  generateRuleGroups,
  importOpenSlo,
  importSloth,
  renderMimirNamespaces,
  toMimirNamespaces,
  toPrometheusRules,
  admitSlo,
  type ImportResult,
  type SloBundle,
} from "@burnrate/domain";
import { requireTeamRole, type Principal } from "../auth";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { admissionContext, toolIssuesBatch } from "./admission";
import { BURNRATE_VERSION, loadBundles } from "./artifacts";
import { insertService, insertSli, insertSlo } from "./catalog";
import { onCatalogChanged } from "./hooks";
import { parseImportYaml } from "./import-parse";
import { requireEditorSomewhere } from "./targets";

export const EXPORT_FORMATS = ["openslo", "sloth", "prometheusrule", "mimir"] as const;

/** Export the whole catalogue (or one team) as OpenSLO, Sloth, PrometheusRule or Mimir namespaces. */
export async function exportCatalogue(format: string, team?: string): Promise<string> {
  const { bundles: all } = await loadBundles();
  const bundles = team ? all.filter((b) => b.team.slug === team) : all;
  const opts = { version: BURNRATE_VERSION };
  switch (format) {
    case "openslo":
      return exportOpenSlo(bundles, opts);
    case "sloth":
      return exportSloth(bundles, opts);
    case "prometheusrule":
      return toPrometheusRules(generateRuleGroups(bundles, opts), opts);
    case "mimir":
      return renderMimirNamespaces(toMimirNamespaces(generateRuleGroups(bundles, opts)), BURNRATE_VERSION);
    default:
      throw new ApiError("validation_failed", `format: must be one of ${EXPORT_FORMATS.join(", ")}`, { format: "unsupported format" });
  }
}

/** JSON with sorted keys, to compare definitions regardless of key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

type PlanAction = "create" | "reuse" | "conflict";
type PlanEntry = {
  slug: string; service: string; objective: number; window: string; kind: string; action: PlanAction;
  sli: { slug: string; action: PlanAction; reason?: string };
  warnings: string[];
};

/**
 * Imports OpenSLO or Sloth YAML. Every SLO passes the admission gate first (errors carry the
 * document path); the plan says for each SLO, its SLI and its service whether it is created,
 * reused (same definition already there) or a conflict (same slug, different definition, or an
 * existing SLO slug), so nothing is reused silently. With `apply`, the catalogue service's writers
 * (gate, authorization, audit, change event) create everything in one transaction, or nothing.
 */
export async function importCatalogue(format: string, text: string, opts: { apply: boolean; defaultTeam?: string }, actor: Principal) {
  requireEditorSomewhere(actor, "importing SLOs");
  if (text.length > 1_000_000) throw new ApiError("bad_request", "import is larger than 1 MB");
  if (format !== "openslo" && format !== "sloth") throw new ApiError("validation_failed", "format: must be openslo or sloth", { format: "must be openslo or sloth" });
  // Bounded, then parsed in a worker with a time limit (import-parse.ts).
  const docs = await parseImportYaml(text);
  const res: ImportResult = format === "openslo" ? importOpenSlo(docs, { defaultTeam: opts.defaultTeam }) : importSloth(docs, { defaultTeam: opts.defaultTeam });
  if (!res.ok) {
    const fields = Object.fromEntries(res.errors.map((e) => [e.path, e.message]));
    throw new ApiError("validation_failed", `${res.errors[0]?.path ?? "document"}: ${res.errors[0]?.message ?? "invalid"}`, fields);
  }
  const slos = res.slos;
  const existing = new Set((await db().slo.findMany({ where: { slug: { in: slos.map((s) => s.slug) } }, select: { slug: true } })).map((s) => s.slug));
  const teams = new Map((await db().team.findMany()).map((t) => [t.slug, t]));
  const services = new Map((await db().service.findMany({ include: { team: true } })).map((s) => [s.slug, s]));
  const problems: { path: string; message: string }[] = [];
  const servicePlan = res.services.map((s) => {
    const cur = services.get(s.slug);
    let action: PlanAction = "create";
    if (cur) action = cur.team.slug === s.team ? "reuse" : "conflict";
    else if (!teams.has(s.team)) problems.push({ path: `services.${s.slug}`, message: `team "${s.team}" does not exist; create it or pass defaultTeam` });
    if (cur && action === "conflict") problems.push({ path: `services.${s.slug}.team`, message: `service "${s.slug}" exists in team "${cur.team.slug}", not "${s.team}"` });
    const teamOfService = cur?.team.slug ?? s.team;
    if (opts.apply && action !== "conflict") requireTeamRole(actor, teamOfService, "editor", `importing into team "${teamOfService}"`);
    return { slug: s.slug, team: s.team, action };
  });
  const bundles: SloBundle[] = [];
  const plan: PlanEntry[] = [];
  for (const [i, s] of slos.entries()) {
    const sliSlug = s.slug.slice(0, 63);
    const gate = admitSlo(s, admissionContext());
    if (!gate.ok) for (const e of gate.errors) problems.push({ path: `slos[${i}].${e.field}`, message: e.message });
    const svc = services.get(s.service);
    const curSli = svc ? await db().sli.findUnique({ where: { serviceId_slug: { serviceId: svc.id, slug: sliSlug } } }) : null;
    const sliAction: PlanAction = !curSli ? "create" : canonical(curSli.spec) === canonical(s.sli) ? "reuse" : "conflict";
    const svcSpec = res.services.find((x) => x.slug === s.service);
    const team = teams.get(svc?.team.slug ?? svcSpec?.team ?? "");
    if (gate.ok && svcSpec && team) bundles.push({ slo: gate.value, service: svcSpec, team: { slug: team.slug, name: team.name, description: team.description } });
    plan.push({
      slug: s.slug, service: s.service, objective: s.objective, window: s.window, kind: s.sli.kind,
      action: (existing.has(s.slug) ? "conflict" : "create") as PlanAction,
      sli: { slug: sliSlug, action: sliAction, ...(sliAction === "conflict" ? { reason: `service "${s.service}" already has an SLI "${sliSlug}" with a different definition` } : {}) },
      warnings: gate.ok ? gate.warnings.map((w) => `${w.field}: ${w.message}`) : [],
    });
  }
  if (problems.length === 0) {
    for (const [slug, issues] of await toolIssuesBatch(bundles)) {
      for (const e of issues) problems.push({ path: `slos[${slos.findIndex((x) => x.slug === slug)}].${e.field}`, message: e.message });
    }
  }
  if (!opts.apply) return { applied: false, plan, services: servicePlan, problems };
  if (problems.length) throw new ApiError("validation_failed", `${problems[0]?.path}: ${problems[0]?.message}`, Object.fromEntries(problems.map((p) => [p.path, p.message])));
  const conflicts = [
    ...plan.filter((p) => p.action === "conflict").map((p) => `SLO "${p.slug}" already exists`),
    ...plan.filter((p) => p.sli.action === "conflict").map((p) => `SLI "${p.sli.slug}" of service "${p.service}" exists with a different definition`),
  ];
  if (conflicts.length) throw new ApiError("conflict", `import conflicts: ${conflicts.join("; ")}`);
  await db().$transaction(
    async (tx) => {
      for (const s of res.services) {
        if (!services.has(s.slug)) await insertService(tx, s, actor, "service.import");
      }
      for (const [i, s] of slos.entries()) {
        const p = plan[i];
        if (p?.sli.action === "create") {
          await insertSli(tx, { slug: p.sli.slug, name: `${s.name} SLI`.slice(0, 120), description: "", service: s.service, spec: s.sli }, actor, "sli.import");
        }
        const { sli: _sli, ...rest } = s;
        // promtool already ran over all SLOs in one call above.
        await insertSlo(tx, { ...rest, sli: p?.sli.slug ?? s.slug, policy: null }, actor, "slo.import", { tools: false });
      }
    },
    { timeout: 60_000 },
  );
  onCatalogChanged("import");
  return { applied: true, plan, services: servicePlan, problems };
}
