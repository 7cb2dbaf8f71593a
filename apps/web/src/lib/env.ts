import "server-only";
import { parseOutboundPolicy, parseRoleMapping, parseTrustProxy } from "@burnrate/domain";
import { z } from "zod";

/**
 * The only place that reads process.env. Everything is optional except DATABASE_URL, which the
 * launcher (`npm run demo`) sets after starting the embedded PostgreSQL when none is given.
 */
const EnvSchema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm run demo starts an embedded PostgreSQL)"),
  PROMETHEUS_URL: z.string().url().optional(),
  ALERTMANAGER_URL: z.string().url().optional(),
  GRAFANA_URL: z.string().url().optional(),
  GRAFANA_TOKEN: z.string().optional(),
  BURNRATE_RULES_DIR: z.string().optional(),
  BURNRATE_ALERTMANAGER_CONFIG: z.string().optional(),
  BURNRATE_SECRET_KEY: z.string().optional(),
  /** The key being replaced during a rotation: still read, and every secret is re-encrypted under BURNRATE_SECRET_KEY at start. */
  BURNRATE_SECRET_KEY_PREVIOUS: z.string().min(16).optional(),
  BURNRATE_PUBLIC_URL: z.string().url().optional(),
  /** Where Alertmanager reaches Burnrate's webhook receiver (compose: http://web:3000/...). */
  BURNRATE_ALERTMANAGER_WEBHOOK_URL: z.string().url().optional(),
  /** "off" disables login (every caller is an administrator): single-user local trials only. */
  BURNRATE_AUTH: z.enum(["on", "off"]).default("on"),
  /** First administrator, created at start when no user exists yet (compose, fresh installs). */
  BURNRATE_ADMIN_EMAIL: z.string().email().optional(),
  BURNRATE_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** Browser session lifetime in hours; then users sign in again (SSO users go back through the IdP, so removals there take effect). */
  BURNRATE_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
  /** "off" refuses email/password sign-in (use with OIDC; API tokens keep working). */
  BURNRATE_PASSWORD_LOGIN: z.enum(["on", "off"]).default("on"),
  /** OpenID Connect single sign-on: issuer URL (discovery at /.well-known/openid-configuration). */
  BURNRATE_OIDC_ISSUER: z.string().url().optional(),
  BURNRATE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Omit for a public client (PKCE only). */
  BURNRATE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Label of the sign-in button, e.g. "Okta" → "Sign in with Okta". */
  BURNRATE_OIDC_DISPLAY_NAME: z.string().min(1).max(60).default("single sign-on"),
  BURNRATE_OIDC_SCOPES: z.string().default("openid email profile"),
  /** Claim holding the user's groups (ID token or userinfo). */
  BURNRATE_OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  /** group=admin, group=team:role, group=*:role; when set, SSO users' roles follow their groups at every sign-in. */
  BURNRATE_OIDC_ROLE_MAPPING: z.string().optional(),
  /** Comma-separated email domains allowed to sign in through SSO (default: any). */
  BURNRATE_OIDC_ALLOWED_DOMAINS: z.string().optional(),
  /** "on": accept SSO emails without email_verified: true (only for IdPs that issue verified addresses only). */
  BURNRATE_OIDC_TRUST_EMAIL: z.enum(["on", "off"]).default("off"),
  /** "off": only users an administrator created beforehand may sign in through SSO. */
  BURNRATE_OIDC_AUTO_CREATE: z.enum(["on", "off"]).default("on"),
  /**
   * SSRF guard for target/receiver URLs: comma-separated hosts or CIDRs that URLs may point to.
   * Unset: any host except cloud metadata / link-local addresses. "public": no private, loopback or link-local addresses.
   */
  BURNRATE_OUTBOUND_ALLOW: z.string().optional(),
  /**
   * Alert receivers may not point at loopback, private, link-local or reserved addresses (nor names
   * that do not resolve) unless listed here: comma-separated hosts and CIDRs (e.g. 127.0.0.1,10.1.0.0/16).
   */
  BURNRATE_RECEIVER_ALLOW: z.string().optional(),
  /**
   * Bearer token required on the Alertmanager webhook (default: derived from BURNRATE_SECRET_KEY and
   * written into the Alertmanager configuration Burnrate pushes; set it when another Alertmanager posts too).
   */
  BURNRATE_WEBHOOK_TOKEN: z.string().min(16).optional(),
  /** Evaluation interval of the long-window/metadata rule groups (default 5m; the demo uses 1m so budgets show at once). */
  /** Go version of the target Prometheus (its /api/v1/status/buildinfo goVersion); regex syntax follows it. Default: go1.19 (Prometheus 2.42). */
  BURNRATE_TARGET_GO_VERSION: z.string().regex(/^(go)?\d+\.\d+/, "must be like go1.21.5").optional(),
  /** "off" skips running promtool on an SLO's rules when it is saved (the in-process gate still runs). */
  BURNRATE_ADMISSION_TOOLS: z.enum(["on", "off"]).default("on"),
  /** promtool used at save time (default /usr/bin/promtool when present). */
  BURNRATE_PROMTOOL: z.string().optional(),
  BURNRATE_LONG_RULE_INTERVAL: z.string().regex(/^\d+[sm]$/, "must be like 1m or 30s").optional(),
  /**
   * Reverse proxies trusted for X-Forwarded-For/-Host/-Proto: a number of hops (1 = one proxy in
   * front) or their addresses/CIDRs. Unset: forwarding headers are ignored (direct exposure).
   */
  BURNRATE_TRUST_PROXY: z.string().optional(),
  /** Bearer token Prometheus sends to scrape /api/metrics (otherwise a signed-in caller is needed). */
  BURNRATE_METRICS_TOKEN: z.string().min(16).optional(),
  /** CIDRs allowed to scrape /api/metrics without a token (client address from BURNRATE_TRUST_PROXY). */
  BURNRATE_METRICS_ALLOW: z.string().optional(),
  PORT: z.coerce.number().int().default(3000),
  /** "off" makes this replica never push (run exactly one pushing replica per installation). */
  BURNRATE_RECONCILER: z.enum(["on", "off"]).default("on"),
  BURNRATE_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(30),
  /** Push `burnrate-meta.yml`, alerts on Burnrate itself (push failing, SLO not deployed, reconciler stalled, Watchdog). */
  BURNRATE_META_ALERTS: z.enum(["on", "off"]).default("on"),
  /** A target failing this long fires BurnratePushFailing (Prometheus duration). */
  BURNRATE_META_PUSH_FAILING_FOR: z.string().regex(/^\d+[smh]$/, "must be like 10m, 30s or 1h").default("10m"),
  /** An SLO not deployed this long fires BurnrateSloNotDeployed. */
  BURNRATE_META_NOT_DEPLOYED_FOR: z.string().regex(/^\d+[smh]$/, "must be like 10m, 30s or 1h").default("10m"),
  /** No reconcile pass for this many seconds fires BurnrateReconcilerStalled. */
  BURNRATE_META_STALLED_AFTER_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Evaluation interval of the meta-alert group. */
  BURNRATE_META_INTERVAL: z.string().regex(/^\d+[sm]$/, "must be like 1m or 30s").default("30s"),
  /** Administrators' receiver for meta alerts (webhook URL); default: Burnrate's own webhook receiver. */
  BURNRATE_ADMIN_ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** Dead man's switch receiver for the always-firing BurnrateWatchdog (webhook URL); unset: a receiver that sends nothing. */
  BURNRATE_DEADMANS_SWITCH_URL: z.string().url().optional(),
  /** A push that would remove more than this share of the live SLO rules (or all of them) waits for an administrator. */
  BURNRATE_MASS_DELETE_SHARE: z.coerce.number().min(0).max(1).default(0.5),
});

export type Env = z.infer<typeof EnvSchema>;
let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  // An empty value means unset (compose passes `${VAR:-}` through as "").
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const d = parsed.data;
  if (d.BURNRATE_OIDC_ISSUER && !d.BURNRATE_OIDC_CLIENT_ID) throw new Error("invalid environment: BURNRATE_OIDC_CLIENT_ID is required when BURNRATE_OIDC_ISSUER is set");
  // The redirect URI and post-login redirects must not come from request headers (X-Forwarded-Host).
  if (d.BURNRATE_OIDC_ISSUER && !d.BURNRATE_PUBLIC_URL) throw new Error("invalid environment: BURNRATE_PUBLIC_URL is required with BURNRATE_OIDC_ISSUER (it defines the redirect URI registered at the identity provider)");
  // Fail at start, not at the first sign-in or push, when these are malformed.
  for (const [name, parse] of [["BURNRATE_OIDC_ROLE_MAPPING", parseRoleMapping], ["BURNRATE_OUTBOUND_ALLOW", parseOutboundPolicy], ["BURNRATE_RECEIVER_ALLOW", parseOutboundPolicy], ["BURNRATE_TRUST_PROXY", parseTrustProxy]] as const) {
    try {
      parse(d[name]);
    } catch (err) {
      throw new Error(`invalid environment: ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  cached = d;
  return cached;
}
