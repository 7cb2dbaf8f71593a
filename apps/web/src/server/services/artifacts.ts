import "server-only";
import {
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
  type ReceiverUrl,
  WEBHOOK_TOKEN_REF,
  receiverName,
  resolveSecretPlaceholders,
  scrubSecrets,
  secretFileName,
  secretRefsIn,
} from "@burnrate/domain";
import { receiverSecretValues } from "@burnrate/db";
import { createHash } from "node:crypto";
import path from "node:path";
import { env } from "~/lib/env";
import { decryptSecret, secretKeys, webhookToken } from "../crypto";
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

/** The secrets directory of an Alertmanager whose configuration lives at `configPath`. */
export function alertmanagerSecretsDir(configPath: string): string {
  return path.join(path.dirname(path.resolve(configPath)), "secrets");
}

/**
 * The Alertmanager configuration as stored and shown (revisions, diffs): receiver secrets are
 * `*_file` references into `secretsDir` or placeholders, never values.
 */
export async function alertmanagerYaml(opts: { groupWait?: string; groupInterval?: string; secretsDir?: string } = {}): Promise<string> {
  const { bundles } = await loadBundles();
  const teams = await db().team.findMany({ orderBy: { slug: "asc" } });
  return generateAlertmanagerConfig(
    { teams: teams.map((t) => ({ slug: t.slug, name: t.name, description: t.description })), receivers: await loadReceivers(), slos: bundles },
    { version: BURNRATE_VERSION, defaultWebhookUrl: env().BURNRATE_ALERTMANAGER_WEBHOOK_URL ?? `${publicUrl()}/api/v1/webhooks/alertmanager`, defaultWebhookAuthorization: webhookToken() !== undefined, ...opts },
  );
}

/** What the Alertmanager file pusher writes for a stored configuration: the file and its secret files. */
export type MaterializedAlertmanager = {
  /** The configuration with webhook URL placeholders replaced (only ever written to Alertmanager's file). */
  text: string;
  /** Secret files by file name. */
  files: Record<string, string>;
  /** Secrets that are URLs Alertmanager will connect to (checked against the receiver policy before a push). */
  urls: ReceiverUrl[];
  /** References without a value (a receiver deleted since a rolled-back revision was made). */
  missing: string[];
  /** Removes every secret value from a text (pusher errors quote amtool and Alertmanager). */
  scrub: (text: string) => string;
};

export async function materializeAlertmanager(content: string, secretsDir: string): Promise<MaterializedAlertmanager> {
  const values = await receiverSecretValues(db(), secretKeys());
  const token = webhookToken();
  if (token) values[WEBHOOK_TOKEN_REF] = token;
  const refs = secretRefsIn(content, secretsDir);
  const resolved = resolveSecretPlaceholders(content, (ref) => values[ref]);
  const missing = new Set(resolved.missing);
  const files: Record<string, string> = {};
  for (const ref of refs.files) {
    const v = values[ref];
    if (v === undefined) missing.add(ref);
    else files[secretFileName(ref)] = v;
  }
  const urls: ReceiverUrl[] = [];
  for (const ref of refs.files) {
    const [kind, slug, field] = ref.split("/");
    const v = values[ref];
    if (kind === "receiver" && field === "apiUrl" && v) urls.push({ receiver: receiverName({ team: "", slug: slug ?? "" }).slice(1), field: "slack_configs[0].api_url_file", url: v });
  }
  return { text: resolved.text, files, urls, missing: [...missing].sort(), scrub: (t) => scrubSecrets(t, values) };
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
