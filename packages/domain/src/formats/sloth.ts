import { RESERVED_LABELS } from "../rules/generate";
import { generatedHeader, toYaml } from "../rules/render";
import type { SloBundle } from "../rules/types";
import { sliQueries } from "../spec/sli";
import { TierSchema } from "../spec/common";
import { ServiceSpecSchema, SloSpecSchema, type ServiceSpec, type SloSpec, type SloSpecInput, type SloWindow } from "../spec/slo";
import { isRecord, str, stringRecord, zodIssues, type ImportIssue, type ImportResult } from "./result";
import { parseYamlDocs, type ParsedYamlDoc } from "./yaml-input";

/**
 * Sloth `prometheus/v1` specs, one YAML document per service. Every SLI kind is written as
 * `events` queries with Sloth's `{{.window}}` placeholder. Sloth has no per-SLO period (its period
 * is global), so the period and the Burnrate slug are kept as `burnrate_period`/`burnrate_slo` labels.
 */
export function exportSloth(bundles: SloBundle[], opts: { version: string }): string {
  const byService = new Map<string, SloBundle[]>();
  for (const b of bundles) byService.set(b.service.slug, [...(byService.get(b.service.slug) ?? []), b]);
  const docs = [...byService.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, list]) => {
      const first = list[0] as SloBundle;
      return {
        version: "prometheus/v1",
        service,
        labels: { team: first.team.slug, tier: first.service.tier },
        slos: [...list]
          .sort((a, b) => (a.slo.slug < b.slo.slug ? -1 : 1))
          .map(({ slo, service: svc }) => {
            const q = sliQueries(slo.sli, "{{.window}}");
            // Sloth queries are events over a window; timeslice SLIs count one "event" per second,
            // written so that the total still carries the window placeholder.
            const total = q.total === "vector(1)" ? "max_over_time(vector(1)[{{.window}}:])" : q.total;
            const runbook = slo.alerting.runbookUrl || svc.runbookUrl;
            return {
              name: slo.slug,
              objective: slo.objective,
              description: slo.description || slo.name,
              labels: { ...slo.labels, burnrate_period: slo.window, burnrate_slo: slo.slug },
              sli: { events: { error_query: q.errors, total_query: total } },
              alerting: {
                name: "SLOErrorBudgetBurn",
                ...(runbook ? { annotations: { runbook_url: runbook } } : {}),
                page_alert: { disable: !slo.alerting.enabled || !slo.alerting.page },
                ticket_alert: { disable: !slo.alerting.enabled || !slo.alerting.ticket },
              },
            };
          }),
      };
    });
  return generatedHeader(opts.version) + docs.map((d) => toYaml(d)).join("---\n");
}

export type SlothImportOptions = {
  /** Team when the spec has no `team` label. */
  defaultTeam?: string;
  /** SLO period (Sloth's is global; default 30d, or the `burnrate_period` label). */
  window?: SloWindow;
};

const PERIODS = new Set(["7d", "28d", "30d", "calendar-month"]);

/**
 * Imports Sloth `prometheus/v1` YAML (one or more documents). Event SLIs become custom SLIs;
 * `raw` and `plugin` SLIs are reported as unsupported. SLO slugs are `<service>-<name>` unless the
 * name already starts with the service.
 */
export function importSloth(text: string | ParsedYamlDoc[], opts: SlothImportOptions = {}): ImportResult {
  const issues: ImportIssue[] = [];
  const slos: SloSpec[] = [];
  const services: ServiceSpec[] = [];
  (typeof text === "string" ? parseYamlDocs(text) : text).forEach((d) => {
    const index = d.index;
    const path = `documents[${index}]`;
    if (d.error !== undefined) return void issues.push({ path, message: d.error });
    const body: unknown = d.body;
    if (body === null || body === undefined) return;
    if (!isRecord(body)) return void issues.push({ path, message: "expected a mapping" });
    if (body.version !== "prometheus/v1") return void issues.push({ path: `${path}.version`, message: `expected prometheus/v1, got ${String(body.version)}` });
    const serviceSlug = str(body.service) ?? "";
    const docLabels = stringRecord(body.labels);
    const team = docLabels.team ?? opts.defaultTeam;
    if (!team) return void issues.push({ path: `${path}.labels.team`, message: "a team label (or a default team) is required" });
    const tier = TierSchema.safeParse(docLabels.tier);
    const svc = ServiceSpecSchema.safeParse({ slug: serviceSlug, name: serviceSlug, team, ...(tier.success ? { tier: tier.data } : {}) });
    if (!svc.success) return void issues.push(...zodIssues(`${path}.service`, svc.error).map((i) => ({ ...i, path: i.path.replace(/\.slug$/, "") })));
    if (!services.some((s) => s.slug === svc.data.slug)) services.push(svc.data);
    const list = Array.isArray(body.slos) ? body.slos : [];
    if (list.length === 0) issues.push({ path: `${path}.slos`, message: "at least one SLO is required" });
    list.forEach((raw, i) => {
      const at = `${path}.slos[${i}]`;
      if (!isRecord(raw)) return void issues.push({ path: at, message: "expected a mapping" });
      const name = str(raw.name) ?? "";
      const sli = isRecord(raw.sli) ? raw.sli : {};
      if (sli.raw !== undefined) return void issues.push({ path: `${at}.sli.raw`, message: "raw error-ratio SLIs are not supported; use events (error_query and total_query)" });
      if (sli.plugin !== undefined) return void issues.push({ path: `${at}.sli.plugin`, message: "SLI plugins are not supported; use events (error_query and total_query)" });
      const events = isRecord(sli.events) ? sli.events : undefined;
      if (!events) return void issues.push({ path: `${at}.sli.events`, message: "events.error_query and events.total_query are required" });
      const labels = { ...docLabels, ...stringRecord(raw.labels) };
      delete labels.team;
      delete labels.tier;
      const period = labels.burnrate_period;
      const exportedSlug = labels.burnrate_slo;
      delete labels.burnrate_period;
      delete labels.burnrate_slo;
      for (const k of Object.keys(labels)) {
        if (RESERVED_LABELS.has(k)) issues.push({ path: `${at}.labels.${k}`, message: `"${k}" is reserved by Burnrate` });
      }
      const alerting = isRecord(raw.alerting) ? raw.alerting : {};
      const page = isRecord(alerting.page_alert) ? alerting.page_alert.disable !== true : true;
      const ticket = isRecord(alerting.ticket_alert) ? alerting.ticket_alert.disable !== true : true;
      const ann = stringRecord(alerting.annotations);
      const runbook = ann.runbook_url ?? ann.runbook;
      const slug = exportedSlug ? exportedSlug : name.startsWith(`${serviceSlug}-`) ? name : `${serviceSlug}-${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
      const input: SloSpecInput = {
        slug,
        name,
        description: str(raw.description) ?? "",
        service: serviceSlug,
        sli: { kind: "custom", errorQuery: str(events.error_query), totalQuery: str(events.total_query) ?? "" },
        objective: Number(raw.objective),
        window: (opts.window ?? (period && PERIODS.has(period) ? period : "30d")) as SloWindow,
        labels,
        alerting: { enabled: page || ticket, page, ticket, minEvents: 0, ...(runbook ? { runbookUrl: runbook } : {}) },
      };
      const parsed = SloSpecSchema.safeParse(input);
      if (!parsed.success) {
        return void issues.push(
          ...zodIssues(at, parsed.error).map((x) => ({
            ...x,
            path: x.path.replace(".sli.errorQuery", ".sli.events.error_query").replace(".sli.totalQuery", ".sli.events.total_query"),
          })),
        );
      }
      if (slos.some((s) => s.slug === parsed.data.slug)) return void issues.push({ path: `${at}.name`, message: `duplicate SLO "${parsed.data.slug}"` });
      slos.push(parsed.data);
    });
  });
  if (issues.length > 0) return { ok: false, errors: issues };
  if (slos.length === 0) return { ok: false, errors: [{ path: "documents", message: "no SLOs found" }] };
  return { ok: true, slos, services };
}
