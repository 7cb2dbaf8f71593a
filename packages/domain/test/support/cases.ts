import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import {
  AlertReceiverSpecSchema,
  exportOpenSlo,
  exportSloth,
  generateAlertmanagerConfig,
  receiverSecretRef,
  resolveSecretPlaceholders,
  generateRuleGroups,
  renderMimirNamespaces,
  renderRuleFile,
  ServiceSpecSchema,
  SloSpecSchema,
  TeamSpecSchema,
  toMimirNamespaces,
  toPrometheusRules,
  type AlertmanagerOptions,
  type AlertReceiverSpec,
  type GenerationOptions,
  type SloBundle,
  type TeamSpec,
} from "../../src/index";
import { scenarioFor } from "./scenarios";

export const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "testdata");

const CaseSchema = z.object({
  options: z.object({ version: z.string(), grafanaUrl: z.string().optional() }),
  alertmanager: z.object({
    defaultWebhookUrl: z.string(),
    smtp: z.object({ from: z.string(), smarthost: z.string() }).optional(),
  }),
  teams: z.array(TeamSpecSchema),
  services: z.array(ServiceSpecSchema),
  slos: z.array(SloSpecSchema),
  receivers: z.array(AlertReceiverSpecSchema).default([]),
});

export type GoldenCase = {
  name: string;
  dir: string;
  bundles: SloBundle[];
  teams: TeamSpec[];
  receivers: AlertReceiverSpec[];
  options: GenerationOptions;
  amOptions: AlertmanagerOptions;
};

/** Case folders: every testdata/<case>/ with a bundle.yaml. */
export function caseNames(): string[] {
  return readdirSync(TESTDATA)
    .filter((d) => existsSync(join(TESTDATA, d, "bundle.yaml")))
    .sort();
}

export function loadCase(name: string): GoldenCase {
  const dir = join(TESTDATA, name);
  const raw = CaseSchema.parse(parse(readFileSync(join(dir, "bundle.yaml"), "utf8")));
  const bundles = raw.slos.map((slo) => {
    const service = raw.services.find((s) => s.slug === slo.service);
    const team = raw.teams.find((t) => t.slug === service?.team);
    if (!service || !team) throw new Error(`${name}: SLO ${slo.slug} has no service/team`);
    return { slo, service, team };
  });
  return {
    name,
    dir,
    bundles,
    teams: raw.teams,
    receivers: raw.receivers,
    options: raw.options,
    // Short timers so amtool/Alertmanager tests do not wait; production defaults are tested separately.
    amOptions: { version: raw.options.version, groupWait: "1s", groupInterval: "5s", ...raw.alertmanager },
  };
}

/**
 * The Alertmanager configuration as the file pusher writes it: webhook URL placeholders replaced
 * by the case's values (the `*_file` secrets stay references).
 */
export function resolvedAlertmanagerConfig(c: GoldenCase, opts: AlertmanagerOptions): string {
  const values = new Map<string, string>();
  for (const r of c.receivers) for (const [k, v] of Object.entries(r.config)) if (typeof v === "string") values.set(receiverSecretRef(r.slug, k), v);
  const res = resolveSecretPlaceholders(generateAlertmanagerConfig({ teams: c.teams, receivers: c.receivers, slos: c.bundles }, opts), (ref) => values.get(ref));
  if (res.missing.length) throw new Error(`${c.name}: no value for ${res.missing.join(", ")}`);
  return res.text;
}

/** Every golden output of a case, by file name. */
export function caseOutputs(c: GoldenCase): Record<string, string> {
  const sets = generateRuleGroups(c.bundles, c.options);
  const out: Record<string, string> = {
    "rules.yaml": renderRuleFile(sets.flatMap((s) => s.groups), c.options.version),
    "alertmanager.yaml": resolvedAlertmanagerConfig(c, c.amOptions),
    "prometheusrule.yaml": toPrometheusRules(sets, { version: c.options.version, namespace: "monitoring", labels: { release: "prometheus" } }),
    "mimir.yaml": renderMimirNamespaces(toMimirNamespaces(sets), c.options.version),
    "openslo.yaml": exportOpenSlo(c.bundles, { version: c.options.version }),
    "sloth.yaml": exportSloth(c.bundles, { version: c.options.version }),
  };
  return { ...out, ...scenarioFor(c) };
}
