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
  type ImportResult,
} from "@burnrate/domain";
import { requireTeamRole, type Principal } from "../auth";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { BURNRATE_VERSION, loadBundles } from "./artifacts";
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

/**
 * Imports OpenSLO or Sloth YAML. Validates everything first (errors carry the document path);
 * with `apply`, creates missing services, one SLI per SLO and the SLOs in one transaction, so a
 * bad document imports nothing. Existing SLO slugs are reported as conflicts, never overwritten.
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
  const existing = new Set((await db().slo.findMany({ where: { slug: { in: res.slos.map((s) => s.slug) } }, select: { slug: true } })).map((s) => s.slug));
  const teams = new Set((await db().team.findMany({ select: { slug: true } })).map((t) => t.slug));
  const services = new Map((await db().service.findMany({ include: { team: true } })).map((s) => [s.slug, s.team.slug]));
  const problems: { path: string; message: string }[] = [];
  for (const s of res.services) {
    const teamOfService = services.get(s.slug) ?? s.team;
    if (!services.has(s.slug) && !teams.has(s.team)) problems.push({ path: `services.${s.slug}`, message: `team "${s.team}" does not exist; create it or pass defaultTeam` });
    else if (opts.apply) requireTeamRole(actor, teamOfService, "editor", `importing into team "${teamOfService}"`);
  }
  const plan = res.slos.map((s) => ({ slug: s.slug, service: s.service, objective: s.objective, window: s.window, kind: s.sli.kind, action: existing.has(s.slug) ? "conflict" : "create" }));
  if (!opts.apply) return { applied: false, plan, problems };
  if (problems.length) throw new ApiError("validation_failed", `${problems[0]?.path}: ${problems[0]?.message}`, Object.fromEntries(problems.map((p) => [p.path, p.message])));
  const conflicts = plan.filter((p) => p.action === "conflict");
  if (conflicts.length) throw new ApiError("conflict", `SLO slug(s) already exist: ${conflicts.map((c) => c.slug).join(", ")}`);
  await db().$transaction(async (tx) => {
    for (const s of res.services) {
      if (services.has(s.slug)) continue;
      const team = await tx.team.findUniqueOrThrow({ where: { slug: s.team } });
      const { team: _t, ...data } = s;
      await tx.service.create({ data: { ...data, teamId: team.id } });
    }
    for (const s of res.slos) {
      const svc = await tx.service.findUniqueOrThrow({ where: { slug: s.service } });
      const sliSlug = `${s.slug}`.slice(0, 63);
      const sli = await tx.sli.upsert({ where: { serviceId_slug: { serviceId: svc.id, slug: sliSlug } }, update: {}, create: { slug: sliSlug, name: `${s.name} SLI`, serviceId: svc.id, kind: s.sli.kind, spec: s.sli } });
      const row = await tx.slo.create({ data: { slug: s.slug, name: s.name, description: s.description, sliId: sli.id, objective: s.objective, window: s.window, budgetingMethod: s.budgetingMethod, alerting: s.alerting, labels: s.labels } });
      await tx.auditEvent.create({ data: { actor: actor.name, action: "slo.import", entityType: "slo", entityId: row.id, entitySlug: row.slug, after: { format, slo: s } } });
    }
  });
  onCatalogChanged("import");
  return { applied: true, plan, problems };
}
