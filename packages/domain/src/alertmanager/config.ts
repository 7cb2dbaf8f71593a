import { parse } from "yaml";
import { promqlString } from "../promql/escape";
import type { AlertReceiverSpec } from "../spec/receiver";
import type { TeamSpec } from "../spec/slo";
import { generatedHeader, toYaml } from "../rules/render";
import { META_ROUTE_LABEL } from "../rules/meta";
import { SloGenerationError, type SloBundle } from "../rules/types";
import { receiverSecretRef, secretFileName, secretPlaceholder, WEBHOOK_TOKEN_REF } from "./secrets";

/** Options of the generated Alertmanager configuration. */
export type AlertmanagerOptions = {
  /** Burnrate version for the generated-code header. */
  version: string;
  /**
   * Burnrate's own webhook receiver (e.g. `https://burnrate.example.com/api/v1/webhooks/alertmanager`):
   * the default receiver, and it also gets a copy of every page-severity SLO alert.
   */
  defaultWebhookUrl: string;
  /** Wait before the first notification of a new group (default 30s; tests use 1s). */
  groupWait?: string;
  /** Wait before notifying about new alerts in a group (default 5m). */
  groupInterval?: string;
  /** Resend interval of unchanged groups (default 4h; page routes 1h, ticket routes 24h). */
  repeatInterval?: string;
  pageRepeatInterval?: string;
  ticketRepeatInterval?: string;
  /** Alertmanager `resolve_timeout` (default 5m). */
  resolveTimeout?: string;
  /** SMTP settings; required when an email receiver exists. */
  smtp?: { from: string; smarthost: string; requireTls?: boolean };
  /**
   * Routes for the alerts on Burnrate itself (`burnrate-meta.yml`): `burnrate_meta="admin"` to the
   * administrators' receiver (default: Burnrate's webhook), the always-firing Watchdog to its own
   * dead man's switch receiver (sends nothing when no URL is set), never to a team pager.
   */
  meta?: { adminWebhookUrl?: string; deadMansSwitchUrl?: string };
  /**
   * Directory beside alertmanager.yml where the file pusher writes receiver secrets (default
   * `secrets`, relative to Alertmanager's working directory; Burnrate passes an absolute path).
   */
  secretsDir?: string;
  /** Alertmanager authenticates to Burnrate's webhook with a bearer token read from the secrets directory. */
  defaultWebhookAuthorization?: boolean;
};

/** Receiver names of the meta-alert routes. */
export const ADMIN_RECEIVER = "burnrate-admins";
export const DEADMANS_SWITCH_RECEIVER = "burnrate-deadmans-switch";

/**
 * A receiver as the generator needs it: secret values are never read (they may be absent); a
 * webhook only says whether it has authorization credentials.
 */
export type AlertmanagerReceiver = Pick<AlertReceiverSpec, "slug" | "name" | "team" | "severities"> & {
  config:
    | { kind: "webhook"; sendResolved: boolean; authorization?: string; hasAuthorization?: boolean }
    | { kind: "slack"; channel: string }
    | { kind: "pagerduty" }
    | { kind: "email"; to: string };
};

export type AlertmanagerInput = { teams: TeamSpec[]; receivers: AlertmanagerReceiver[]; slos?: SloBundle[] };

/** Name of the default receiver (Burnrate's webhook). */
export const DEFAULT_RECEIVER = "burnrate-default";

/** Alertmanager receiver name of a team receiver; unique because slugs contain no "/". */
export function receiverName(r: Pick<AlertReceiverSpec, "team" | "slug">): string {
  return `${r.team}/${r.slug}`;
}

function matcher(label: string, op: "=" | "=~", value: string): string {
  return `${label}${op}${promqlString(value)}`;
}

function byString<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * Team webhook and Slack URLs are checked against BURNRATE_OUTBOUND_ALLOW, but Alertmanager is the
 * one that connects: it must not follow a redirect from an allowed host to a refused one.
 */
const NO_REDIRECTS = { follow_redirects: false } as const;

function secretFile(dir: string, ref: string): string {
  return `${dir.replace(/\/+$/, "")}/${secretFileName(ref)}`;
}

function receiverConfig(r: AlertmanagerReceiver, dir: string): Record<string, unknown> {
  const name = receiverName(r);
  const c = r.config;
  switch (c.kind) {
    case "webhook": {
      const auth = (c.hasAuthorization ?? !!c.authorization) ? { authorization: { type: "Bearer", credentials_file: secretFile(dir, receiverSecretRef(r.slug, "authorization")) } } : {};
      return { name, webhook_configs: [{ url: secretPlaceholder(receiverSecretRef(r.slug, "url")), send_resolved: c.sendResolved, http_config: { ...NO_REDIRECTS, ...auth } }] };
    }
    case "slack":
      return { name, slack_configs: [{ api_url_file: secretFile(dir, receiverSecretRef(r.slug, "apiUrl")), channel: c.channel.startsWith("#") ? c.channel : `#${c.channel}`, send_resolved: true, http_config: NO_REDIRECTS }] };
    case "pagerduty":
      return { name, pagerduty_configs: [{ routing_key_file: secretFile(dir, receiverSecretRef(r.slug, "routingKey")), send_resolved: true }] };
    case "email":
      return { name, email_configs: [{ to: c.to, send_resolved: true }] };
  }
}

/**
 * Alertmanager configuration: a route per team (matched on the `team` label) with one child route
 * per receiver and severity, grouping by [alertname, slo]; a copy of every page SLO alert to
 * Burnrate's webhook; inhibition of tickets by pages of the same SLO and of SLO alerts by
 * `ServiceDown` of the same service. Deterministic: teams and receivers are sorted by slug.
 */
export function generateAlertmanagerConfig(input: AlertmanagerInput, opts: AlertmanagerOptions): string {
  const teams = new Set(input.teams.map((t) => t.slug));
  input.receivers.forEach((r, i) => {
    if (!teams.has(r.team)) throw new SloGenerationError(`receivers[${i}].team`, `team "${r.team}" of receiver "${r.slug}" does not exist`);
  });
  (input.slos ?? []).forEach((b, i) => {
    if (!teams.has(b.team.slug)) throw new SloGenerationError(`slos[${i}].team`, `team "${b.team.slug}" of SLO "${b.slo.slug}" is not in teams`);
  });
  const names = new Set<string>();
  input.receivers.forEach((r, i) => {
    const n = receiverName(r);
    if (names.has(n)) throw new SloGenerationError(`receivers[${i}].slug`, `duplicate receiver "${r.slug}" in team "${r.team}"`);
    names.add(n);
  });
  const receivers = [...input.receivers].sort(byString(receiverName));
  const secretsDir = opts.secretsDir ?? "secrets";
  if (receivers.some((r) => r.config.kind === "email") && !opts.smtp) {
    throw new SloGenerationError("smtp", "email receivers need SMTP settings (from, smarthost)");
  }

  const meta = opts.meta;
  const routes: Record<string, unknown>[] = [
    ...(meta
      ? [
          // Alerts on Burnrate itself go to the administrators and stop here (no team route).
          { receiver: DEADMANS_SWITCH_RECEIVER, matchers: [matcher(META_ROUTE_LABEL, "=", "watchdog")], group_by: ["alertname"], repeat_interval: "5m" },
          { receiver: ADMIN_RECEIVER, matchers: [matcher(META_ROUTE_LABEL, "=", "admin")], group_by: ["alertname", "target"] },
        ]
      : []),
    // Burnrate records every page for its incident timeline; the team route still matches after it.
    { receiver: DEFAULT_RECEIVER, matchers: [matcher("severity", "=", "page"), matcher("slo", "=~", ".+")], continue: true },
  ];
  for (const team of [...teams].sort()) {
    const own = receivers.filter((r) => r.team === team);
    if (own.length === 0) continue;
    const children = own.map((r) => {
      const sev = [...new Set(r.severities)].sort();
      const route: Record<string, unknown> = {
        receiver: receiverName(r),
        matchers: [sev.length === 1 ? matcher("severity", "=", sev[0] ?? "page") : matcher("severity", "=~", sev.join("|"))],
        // Every receiver of the team that takes this severity gets the alert.
        continue: true,
      };
      if (sev.length === 1) route.repeat_interval = sev[0] === "page" ? (opts.pageRepeatInterval ?? "1h") : (opts.ticketRepeatInterval ?? "24h");
      return route;
    });
    routes.push({ receiver: DEFAULT_RECEIVER, matchers: [matcher("team", "=", team)], routes: children });
  }

  const config: Record<string, unknown> = {
    global: {
      resolve_timeout: opts.resolveTimeout ?? "5m",
      ...(opts.smtp
        ? { smtp_from: opts.smtp.from, smtp_smarthost: opts.smtp.smarthost, smtp_require_tls: opts.smtp.requireTls ?? true }
        : {}),
    },
    route: {
      receiver: DEFAULT_RECEIVER,
      group_by: ["alertname", "slo"],
      group_wait: opts.groupWait ?? "30s",
      group_interval: opts.groupInterval ?? "5m",
      repeat_interval: opts.repeatInterval ?? "4h",
      routes,
    },
    inhibit_rules: [
      {
        // A page already covers the ticket of the same SLO (the workbook's multi-burn suppression).
        source_matchers: [matcher("severity", "=", "page"), matcher("slo", "=~", ".+")],
        target_matchers: [matcher("severity", "=", "ticket"), matcher("slo", "=~", ".+")],
        equal: ["slo"],
      },
      {
        // The fast-burn page already covers the medium-burn page of the same SLO.
        source_matchers: [matcher("alertname", "=", "SLOErrorBudgetBurn"), matcher("burn_tier", "=", "fast"), matcher("slo", "=~", ".+")],
        target_matchers: [matcher("alertname", "=", "SLOErrorBudgetBurn"), matcher("burn_tier", "=", "medium"), matcher("slo", "=~", ".+")],
        equal: ["slo"],
      },
      {
        // A down service pages once via ServiceDown; its SLO alerts would only repeat it.
        source_matchers: [matcher("alertname", "=", "ServiceDown"), matcher("service", "=~", ".+")],
        target_matchers: [matcher("slo", "=~", ".+")],
        equal: ["service"],
      },
    ],
    receivers: [
      {
        name: DEFAULT_RECEIVER,
        webhook_configs: [
          {
            url: opts.defaultWebhookUrl,
            send_resolved: true,
            ...(opts.defaultWebhookAuthorization ? { http_config: { authorization: { type: "Bearer", credentials_file: secretFile(secretsDir, WEBHOOK_TOKEN_REF) } } } : {}),
          },
        ],
      },
      ...(meta
        ? [
            meta.adminWebhookUrl
              ? { name: ADMIN_RECEIVER, webhook_configs: [{ url: meta.adminWebhookUrl, send_resolved: true }] }
              : {
                  // Burnrate's own webhook by default, with the same credentials as the default receiver.
                  name: ADMIN_RECEIVER,
                  webhook_configs: [{ url: opts.defaultWebhookUrl, send_resolved: true, ...(opts.defaultWebhookAuthorization ? { http_config: { authorization: { type: "Bearer", credentials_file: secretFile(secretsDir, WEBHOOK_TOKEN_REF) } } } : {}) }],
                },
            meta.deadMansSwitchUrl ? { name: DEADMANS_SWITCH_RECEIVER, webhook_configs: [{ url: meta.deadMansSwitchUrl, send_resolved: false }] } : { name: DEADMANS_SWITCH_RECEIVER },
          ]
        : []),
      ...receivers.map((r) => receiverConfig(r, secretsDir)),
    ],
  };
  return generatedHeader(opts.version) + toYaml(config);
}

/** A URL that Alertmanager sends notifications to, with where it is in the configuration. */
export type ReceiverUrl = {
  /** Alertmanager receiver name, `<team>/<slug>`. */
  receiver: string;
  /** e.g. `webhook_configs[0].url`. */
  field: string;
  url: string;
};

/**
 * The team-receiver URLs (webhook `url`, Slack `api_url`) of a generated Alertmanager
 * configuration, so they can be checked against the outbound policy right before the file is
 * pushed (rollbacks included: the URLs come from the file, not from the current receivers).
 * Burnrate's own default receiver is left out: its URL is set by the operator, not by a team.
 * Throws when the text is not an Alertmanager configuration.
 */
export function receiverUrls(alertmanagerYaml: string): ReceiverUrl[] {
  const doc = parse(alertmanagerYaml) as unknown;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not an Alertmanager configuration (expected a YAML mapping)");
  const receivers = (doc as { receivers?: unknown }).receivers ?? [];
  if (!Array.isArray(receivers)) throw new Error("not an Alertmanager configuration (receivers is not a list)");
  const out: ReceiverUrl[] = [];
  for (const r of receivers as unknown[]) {
    if (r === null || typeof r !== "object") continue;
    const rec = r as Record<string, unknown>;
    const name = typeof rec.name === "string" ? rec.name : "";
    // Burnrate's own webhook and the meta receivers are set by the operator (environment), not by
    // team editors: like push targets they are not held to the team receivers' outbound policy.
    if (name === DEFAULT_RECEIVER || name === ADMIN_RECEIVER || name === DEADMANS_SWITCH_RECEIVER) continue;
    for (const [list, key] of [["webhook_configs", "url"], ["slack_configs", "api_url"]] as const) {
      const configs = rec[list];
      if (!Array.isArray(configs)) continue;
      configs.forEach((c: unknown, i) => {
        const url = c !== null && typeof c === "object" ? (c as Record<string, unknown>)[key] : undefined;
        if (typeof url === "string") out.push({ receiver: name, field: `${list}[${i}].${key}`, url });
      });
    }
  }
  return out;
}
