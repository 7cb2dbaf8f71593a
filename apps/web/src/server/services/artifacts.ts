import "server-only";
import {
  admitSloBundle,
  AlertReceiverSpecSchema,
  ServiceSpecSchema,
  SliSpecSchema,
  SloSpecSchema,
  TeamSpecSchema,
  doraDashboard,
  generateAlertmanagerConfig,
  generateRuleFiles,
  generateRuleGroups,
  goldenSignalsDashboard,
  serviceSloDashboard,
  sloOverviewDashboard,
  toMimirNamespaces,
  type AlertReceiverSpec,
  type Dashboard,
  type RuleFile,
  type SloBundle,
} from "@burnrate/domain";
import { createHash } from "node:crypto";
import { env } from "~/lib/env";
import { decryptSecret } from "../crypto";
import { admissionContext } from "./admission";
import { db } from "../db";

export const BURNRATE_VERSION = "0.1.0";

/**
 * Loads the whole catalogue and maps rows to domain specs. Rows are re-validated by the domain
 * schemas, so a row that someone edited by hand cannot produce a broken artifact silently: it is
 * reported with its slug and skipped, and the rest still generates.
 */
export async function loadBundles(): Promise<{ bundles: SloBundle[]; problems: string[] }> {
  const rows = await db().slo.findMany({ include: { sli: { include: { service: { include: { team: true } } } } }, orderBy: { slug: "asc" } });
  const bundles: SloBundle[] = [];
  const problems: string[] = [];
  for (const r of rows) {
    const svc = r.sli.service;
    try {
      const team = TeamSpecSchema.parse({ slug: svc.team.slug, name: svc.team.name, description: svc.team.description });
      const service = ServiceSpecSchema.parse({ slug: svc.slug, name: svc.name, team: team.slug, tier: svc.tier, description: svc.description, owner: svc.owner, runbookUrl: svc.runbookUrl, repoUrl: svc.repoUrl, labels: svc.labels });
      const slo = SloSpecSchema.parse({
        slug: r.slug, name: r.name, description: r.description, service: svc.slug, sli: SliSpecSchema.parse(r.sli.spec),
        objective: Number(r.objective.toString()), window: r.window, budgetingMethod: r.budgetingMethod, alerting: r.alerting, labels: r.labels,
      });
      // Rows written before the gate existed (or by hand) are checked like new ones: one refused
      // SLO is reported and skipped instead of failing generation for the whole catalogue.
      const admitted = admitSloBundle({ slo, service, team }, admissionContext());
      if (!admitted.ok) {
        problems.push(`SLO "${r.slug}" skipped: ${admitted.errors.map((e) => `${e.field}: ${e.message}`).join("; ").slice(0, 300)}`);
        continue;
      }
      bundles.push({ slo, service, team });
    } catch (err) {
      problems.push(`SLO "${r.slug}" skipped: ${(err as Error).message.slice(0, 300)}`);
    }
  }
  return { bundles, problems };
}

export async function loadReceivers(): Promise<AlertReceiverSpec[]> {
  const rows = await db().alertReceiver.findMany({ include: { team: true }, orderBy: { slug: "asc" } });
  const out: AlertReceiverSpec[] = [];
  for (const r of rows) {
    const secret = r.secretCiphertext ? (JSON.parse(decryptSecret(r.secretCiphertext)) as Record<string, unknown>) : {};
    const parsed = AlertReceiverSpecSchema.safeParse({ slug: r.slug, name: r.name, team: r.team.slug, severities: r.severities, config: { ...(r.config as object), ...secret } });
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export function publicUrl(): string {
  return env().BURNRATE_PUBLIC_URL ?? `http://127.0.0.1:${env().PORT}`;
}

function generationOptions() {
  const long = env().BURNRATE_LONG_RULE_INTERVAL;
  return { version: BURNRATE_VERSION, grafanaUrl: env().GRAFANA_URL, ...(long ? { intervals: { long } } : {}) };
}

export async function ruleFiles(): Promise<{ files: RuleFile[]; problems: string[] }> {
  const { bundles, problems } = await loadBundles();
  return { files: generateRuleFiles(bundles, generationOptions()), problems };
}

export async function mimirNamespaces() {
  const { bundles } = await loadBundles();
  return toMimirNamespaces(generateRuleGroups(bundles, generationOptions()));
}

export async function alertmanagerYaml(opts: { groupWait?: string; groupInterval?: string } = {}): Promise<string> {
  const { bundles } = await loadBundles();
  const teams = await db().team.findMany({ orderBy: { slug: "asc" } });
  return generateAlertmanagerConfig(
    { teams: teams.map((t) => ({ slug: t.slug, name: t.name, description: t.description })), receivers: await loadReceivers(), slos: bundles },
    { version: BURNRATE_VERSION, defaultWebhookUrl: env().BURNRATE_ALERTMANAGER_WEBHOOK_URL ?? `${publicUrl()}/api/v1/webhooks/alertmanager`, ...opts },
  );
}

export async function dashboards(): Promise<Dashboard[]> {
  const { bundles } = await loadBundles();
  const dashBundles = bundles.map((b) => ({ slo: b.slo, team: b.team.slug, tier: b.service.tier }));
  const services = [...new Map(bundles.map((b) => [b.service.slug, b.service])).values()];
  return [
    sloOverviewDashboard(dashBundles),
    ...services.map((s) => serviceSloDashboard(s.slug, dashBundles.filter((d) => d.slo.service === s.slug))),
    ...services.map((s) => goldenSignalsDashboard(s.slug)),
    doraDashboard(),
  ];
}

/** sha256 over path + content of every file, sorted: equal artifacts give equal hashes. */
export function hashFiles(files: { path: string; content: string }[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${f.path}\0${f.content}\0`);
  return h.digest("hex");
}
