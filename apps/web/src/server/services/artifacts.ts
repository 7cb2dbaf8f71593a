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
  generateCatalogueRuleFiles,
  generateCatalogueRuleGroups,
  groupToObject,
  receiverName,
  sloRuleFilePath,
  goldenSignalsDashboard,
  serviceSloDashboard,
  sloOverviewDashboard,
  toMimirNamespaces,
  type AlertReceiverSpec,
  type Dashboard,
  type GenerationOptions,
  type SloBundle,
  type SloGenerationFailure,
  type ReceiverUrl,
  WEBHOOK_TOKEN_REF,
  resolveSecretPlaceholders,
  scrubSecrets,
  secretFileName,
  secretRefsIn,
} from "@burnrate/domain";
import type { DesiredArtifact } from "@burnrate/integrations";
import { ZodError } from "zod";
import { receiverSecretValues } from "@burnrate/db";
import { createHash } from "node:crypto";
import path from "node:path";
import { env } from "~/lib/env";
import { decryptSecret, secretKeys, webhookToken } from "../crypto";
import { admissionContext } from "./admission";
import { db } from "../db";

export const BURNRATE_VERSION = "0.1.0";

/** An SLO whose rules are not generated (the row is refused by the schemas or by the generator's check). */
export type SloFailure = SloGenerationFailure;

/**
 * Loads the whole catalogue and maps rows to domain specs. Rows are re-validated by the domain
 * schemas: a row that an older version stored, or that someone edited by hand, and that
 * validation refuses is returned in `failures` with its slug and field, and the rest still generates.
 */
export async function loadBundles(): Promise<{ bundles: SloBundle[]; problems: string[]; failures: SloFailure[] }> {
  const rows = await db().slo.findMany({ include: { sli: { include: { service: { include: { team: true } } } } }, orderBy: { slug: "asc" } });
  const bundles: SloBundle[] = [];
  const failures: SloFailure[] = [];
  for (const r of rows) {
    const svc = r.sli.service;
    let field = "slo";
    try {
      field = "team";
      const team = TeamSpecSchema.parse({ slug: svc.team.slug, name: svc.team.name, description: svc.team.description });
      field = "service";
      const service = ServiceSpecSchema.parse({ slug: svc.slug, name: svc.name, team: team.slug, tier: svc.tier, description: svc.description, owner: svc.owner, runbookUrl: svc.runbookUrl, repoUrl: svc.repoUrl, labels: svc.labels });
      field = "sli";
      const sli = SliSpecSchema.parse(r.sli.spec);
      field = "slo";
      const slo = SloSpecSchema.parse({
        slug: r.slug, name: r.name, description: r.description, service: svc.slug, sli,
        objective: Number(r.objective.toString()), window: r.window, budgetingMethod: r.budgetingMethod, alerting: r.alerting, labels: r.labels,
      });
      // Rows written before the gate existed (or by hand) are checked like new ones: one refused
      // SLO is reported and skipped instead of failing generation for the whole catalogue.
      const admitted = admitSloBundle({ slo, service, team }, admissionContext());
      if (!admitted.ok) {
        failures.push({ slo: r.slug, team: svc.team.slug, service: svc.slug, path: sloRuleFilePath(r.slug), field: admitted.errors[0]?.field ?? "slo", reason: `refused by the admission gate: ${admitted.errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`.slice(0, 500) });
        continue;
      }
      bundles.push({ slo, service, team });
    } catch (err) {
      const issue = err instanceof ZodError ? err.issues[0] : undefined;
      const at = issue ? [field === "slo" ? "" : field, ...issue.path.map(String)].filter(Boolean).join(".") : field;
      const reason = issue ? issue.message : (err as Error).message;
      failures.push({ slo: r.slug, team: svc.team.slug, service: svc.slug, path: sloRuleFilePath(r.slug), field: at || field, reason: `stored definition refused: ${reason}`.slice(0, 500) });
    }
  }
  return { bundles, failures, problems: failures.map((f) => `SLO "${f.slo}" skipped: ${f.field}: ${f.reason}`) };
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

function generationOptions(): GenerationOptions {
  const e = env();
  const long = e.BURNRATE_LONG_RULE_INTERVAL;
  const meta = e.BURNRATE_META_ALERTS === "on" ? { pushFailingFor: e.BURNRATE_META_PUSH_FAILING_FOR, notDeployedFor: e.BURNRATE_META_NOT_DEPLOYED_FOR, stalledAfterSeconds: e.BURNRATE_META_STALLED_AFTER_SECONDS, interval: e.BURNRATE_META_INTERVAL } : undefined;
  return { version: BURNRATE_VERSION, grafanaUrl: e.GRAFANA_URL, ...(long ? { intervals: { long } } : {}), ...(meta ? { meta } : {}) };
}

/** Prometheus rule files of the catalogue, failing per SLO (a refused SLO is in `failures`, never thrown). */
export async function ruleFiles(): Promise<{ files: DesiredArtifact[]; failures: SloFailure[]; problems: string[] }> {
  return (await desiredArtifacts()).rules;
}

/**
 * Everything the targets should hold, computed once per reconcile pass from one read of the
 * catalogue: rule files (Prometheus), ruler namespaces (Mimir), the Alertmanager config and the
 * dashboards. Each kind is generated on first use; every kind fails per SLO.
 */
export type DesiredArtifacts = {
  /** SLOs in the catalogue (rows, including refused ones). */
  sloCount: number;
  rules: { files: DesiredArtifact[]; failures: SloFailure[]; problems: string[] };
  mimir: () => { files: DesiredArtifact[]; failures: SloFailure[] };
  /** The Alertmanager config; `exclude` leaves out team receivers (by `team/slug`) that Alertmanager refuses. */
  alertmanager: (opts: { groupWait?: string; groupInterval?: string; secretsDir?: string; exclude?: ReadonlySet<string> }) => Promise<string>;
  /** Team receivers by Alertmanager name, with a hash of each one's definition (a quarantined receiver is retried when it changes). */
  receivers: () => Promise<Array<{ name: string; hash: string }>>;
  dashboards: () => DesiredArtifact[];
};

const sloOf = (path: string): string | undefined => /^slo-(.+)\.yml$/.exec(path)?.[1];

export async function desiredArtifacts(): Promise<DesiredArtifacts> {
  const { bundles, failures: rowFailures } = await loadBundles();
  const opts = generationOptions();
  const gen = generateCatalogueRuleFiles(bundles, opts);
  const failures = [...rowFailures, ...gen.failures].sort((a, b) => (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0));
  const rules = {
    files: gen.files.map((f) => ({ ...f, owner: sloOf(f.path) })),
    failures,
    problems: failures.map((f) => `SLO "${f.slo}" not generated: ${f.field}: ${f.reason}`),
  };
  let mimir: { files: DesiredArtifact[]; failures: SloFailure[] } | undefined;
  let dash: DesiredArtifact[] | undefined;
  const am = new Map<string, Promise<string>>();
  let receiversMemo: Promise<AlertReceiverSpec[]> | undefined;
  const receiversP = () => (receiversMemo ??= loadReceivers());
  const admitted = new Set(gen.files.map((f) => sloOf(f.path)).filter(Boolean));
  const good = bundles.filter((b) => admitted.has(b.slo.slug));
  return {
    sloCount: bundles.length + rowFailures.length,
    rules,
    mimir: () => {
      if (!mimir) {
        const g = generateCatalogueRuleGroups(bundles, opts);
        const files = toMimirNamespaces(g.sets).map((ns) => ({ path: ns.namespace.startsWith("burnrate") ? ns.namespace : `burnrate-${ns.namespace}`, content: JSON.stringify(ns.groups.map((x) => groupToObject(x)), null, 2) }));
        mimir = { files, failures: [...rowFailures, ...g.failures] };
      }
      return mimir;
    },
    alertmanager: (o) => {
      const key = `${o.groupWait ?? ""}|${o.groupInterval ?? ""}|${o.secretsDir ?? ""}|${[...(o.exclude ?? [])].sort().join(",")}`;
      let p = am.get(key);
      if (!p) {
        p = receiversP().then((rs) => alertmanagerYamlFor(good, rs.filter((r) => !o.exclude?.has(receiverName(r))), { groupWait: o.groupWait, groupInterval: o.groupInterval, ...(o.secretsDir ? { secretsDir: o.secretsDir } : {}) }));
        am.set(key, p);
      }
      return p;
    },
    receivers: async () => (await receiversP()).map((r) => ({ name: receiverName(r), hash: createHash("sha256").update(JSON.stringify(r)).digest("hex").slice(0, 16) })),
    dashboards: () => (dash ??= dashboardsFor(good).map((d) => ({ path: `${d.uid}.json`, content: JSON.stringify(d, null, 2) }))),
  };
}

async function alertmanagerYamlFor(bundles: SloBundle[], receivers: AlertReceiverSpec[], opts: { groupWait?: string; groupInterval?: string; secretsDir?: string }): Promise<string> {
  const teams = await db().team.findMany({ orderBy: { slug: "asc" } });
  const e = env();
  return generateAlertmanagerConfig(
    { teams: teams.map((t) => ({ slug: t.slug, name: t.name, description: t.description })), receivers, slos: bundles },
    {
      version: BURNRATE_VERSION,
      defaultWebhookUrl: e.BURNRATE_ALERTMANAGER_WEBHOOK_URL ?? `${publicUrl()}/api/v1/webhooks/alertmanager`,
      defaultWebhookAuthorization: webhookToken() !== undefined,
      ...(e.BURNRATE_META_ALERTS === "on" ? { meta: { adminWebhookUrl: e.BURNRATE_ADMIN_ALERT_WEBHOOK_URL, deadMansSwitchUrl: e.BURNRATE_DEADMANS_SWITCH_URL } } : {}),
      ...opts,
    },
  );
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
  return (await desiredArtifacts()).alertmanager(opts);
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

function dashboardsFor(bundles: SloBundle[]): Dashboard[] {
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
