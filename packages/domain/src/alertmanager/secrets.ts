import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
/**
 * Receiver secrets (webhook URLs and credentials, Slack URLs, PagerDuty keys) never appear in a
 * generated Alertmanager configuration. The configuration Burnrate stores (revisions, diffs,
 * previews) carries references instead:
 *
 * - `*_file` settings pointing into a secrets directory beside alertmanager.yml, where the file
 *   pusher writes each secret (mode 0600) at push time: Slack `api_url_file`, PagerDuty
 *   `routing_key_file`, webhook `http_config.authorization.credentials_file`;
 * - a placeholder `<secret:receiver/<slug>/url>` for the one secret Alertmanager 0.25 cannot read
 *   from a file, the webhook URL (`webhook_configs.url_file` does not exist): the pusher replaces
 *   it with the value in the file it writes, so only that file (and Alertmanager's own
 *   /api/v2/status) holds it.
 */

/** Which fields of each receiver kind are secret. */
export const RECEIVER_SECRET_FIELDS = { webhook: ["url", "authorization"], slack: ["apiUrl"], pagerduty: ["routingKey"], email: [] } as const satisfies Record<string, readonly string[]>;

/** Reference of one receiver secret, e.g. `receiver/payments-oncall/url` (receiver slugs are unique). */
export function receiverSecretRef(slug: string, field: string): string {
  return `receiver/${slug}/${field}`;
}

/** Reference of the token Alertmanager sends to Burnrate's own webhook. */
export const WEBHOOK_TOKEN_REF = "burnrate/webhook-token";

/** Text that stands for a secret inside a stored configuration. */
export function secretPlaceholder(ref: string): string {
  return `<secret:${ref}>`;
}

/** File name of a secret in the secrets directory: `receiver__payments-oncall__url`. */
export function secretFileName(ref: string): string {
  return ref.split("/").join("__");
}

const REF = "[a-z0-9][a-z0-9-]*(?:/[a-zA-Z0-9-]+)+";
const PLACEHOLDER_RE = new RegExp(`(["']?)<secret:(${REF})>\\1`, "g");

/** The secret references used by a stored configuration: placeholders and files in `secretsDir`. */
export function secretRefsIn(text: string, secretsDir: string): { inline: string[]; files: string[] } {
  const inline = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER_RE)) if (m[2]) inline.add(m[2]);
  const files = new Set<string>();
  const dir = secretsDir.endsWith("/") ? secretsDir : `${secretsDir}/`;
  const fileRe = new RegExp(`_file: ["']?${escapeRe(dir)}([a-zA-Z0-9_-]+)["']?\\s*$`, "gm");
  for (const m of text.matchAll(fileRe)) if (m[1]) files.add(m[1].split("__").join("/"));
  return { inline: [...inline].sort(), files: [...files].sort() };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces every placeholder with its value (as a YAML double-quoted scalar). Placeholders whose
 * value `lookup` does not know are left in place and listed in `missing`.
 */
export function resolveSecretPlaceholders(text: string, lookup: (ref: string) => string | undefined): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER_RE, (whole, _q: string, ref: string) => {
    const v = lookup(ref);
    if (v === undefined) {
      missing.add(ref);
      return whole;
    }
    return JSON.stringify(v);
  });
  return { text: out, missing: [...missing].sort() };
}

/** Replaces every occurrence of a secret value in free text (error messages, logs) with its placeholder. */
export function scrubSecrets(text: string, secrets: Record<string, string>): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const [ref, value] of Object.entries(secrets).sort((a, b) => b[1].length - a[1].length)) {
    if (value.length < 4) continue;
    out = out.split(value).join(secretPlaceholder(ref));
    const quoted = JSON.stringify(value).slice(1, -1);
    if (quoted !== value) out = out.split(quoted).join(secretPlaceholder(ref));
  }
  return out;
}

const LEGACY_SECRET_KEYS: Record<string, string[]> = {
  webhook_configs: ["url"],
  slack_configs: ["api_url"],
  pagerduty_configs: ["routing_key", "service_key"],
  opsgenie_configs: ["api_key"],
  victorops_configs: ["api_key"],
  pushover_configs: ["user_key", "token"],
  telegram_configs: ["bot_token"],
  wechat_configs: ["api_secret"],
};

/**
 * Replaces secret values in an Alertmanager configuration stored before secrets were kept out of
 * it (older revisions): every team receiver's URL, key and authorization credentials become
 * placeholders. Burnrate's own receiver keeps its URL (set by the operator, not a secret).
 * Returns the text unchanged when there is nothing to redact.
 */
export function redactAlertmanagerSecrets(text: string): { text: string; redacted: number } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return { text: "# (configuration redacted: it could not be parsed to remove secrets)\n", redacted: 1 };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { text, redacted: 0 };
  const receivers = (doc as { receivers?: unknown }).receivers;
  if (!Array.isArray(receivers)) return { text, redacted: 0 };
  let redacted = 0;
  for (const r of receivers as unknown[]) {
    if (r === null || typeof r !== "object") continue;
    const rec = r as Record<string, unknown>;
    const name = typeof rec.name === "string" ? rec.name : "";
    const slug = name.includes("/") ? name.slice(name.indexOf("/") + 1) : name || "unknown";
    for (const [list, keys] of Object.entries(LEGACY_SECRET_KEYS)) {
      const configs = rec[list];
      if (!Array.isArray(configs)) continue;
      for (const c of configs as unknown[]) {
        if (c === null || typeof c !== "object") continue;
        const cfg = c as Record<string, unknown>;
        const own = name === "burnrate-default";
        for (const k of keys) {
          if (own && k === "url") continue;
          const v = cfg[k];
          if (typeof v === "string" && !v.startsWith("<secret:")) {
            cfg[k] = secretPlaceholder(receiverSecretRef(slug, k === "api_url" ? "apiUrl" : k === "url" ? "url" : "routingKey"));
            redacted++;
          }
        }
        const http = cfg.http_config;
        if (http && typeof http === "object") {
          const h = http as Record<string, Record<string, unknown> | undefined>;
          for (const [block, key] of [["authorization", "credentials"], ["basic_auth", "password"], ["oauth2", "client_secret"]] as const) {
            const b = h[block];
            if (b && typeof b[key] === "string" && !String(b[key]).startsWith("<secret:")) {
              b[key] = secretPlaceholder(receiverSecretRef(slug, "authorization"));
              redacted++;
            }
          }
        }
      }
    }
  }
  if (redacted === 0) return { text, redacted };
  const header = text.match(/^(?:#[^\n]*\n)*/)?.[0] ?? "";
  return { text: header + stringifyYaml(doc, { lineWidth: 0 }), redacted };
}
