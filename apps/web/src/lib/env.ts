import "server-only";
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
  BURNRATE_PUBLIC_URL: z.string().url().optional(),
  /** Where Alertmanager reaches Burnrate's webhook receiver (compose: http://web:3000/...). */
  BURNRATE_ALERTMANAGER_WEBHOOK_URL: z.string().url().optional(),
  /** "off" disables login (every caller is an administrator): single-user local trials only. */
  BURNRATE_AUTH: z.enum(["on", "off"]).default("on"),
  /** First administrator, created at start when no user exists yet (compose, fresh installs). */
  BURNRATE_ADMIN_EMAIL: z.string().email().optional(),
  BURNRATE_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** Optional bearer token required on the Alertmanager webhook and /api/metrics. */
  BURNRATE_WEBHOOK_TOKEN: z.string().min(16).optional(),
  /** Evaluation interval of the long-window/metadata rule groups (default 5m; the demo uses 1m so budgets show at once). */
  BURNRATE_LONG_RULE_INTERVAL: z.string().regex(/^\d+[sm]$/, "must be like 1m or 30s").optional(),
  PORT: z.coerce.number().int().default(3000),
  /** "off" makes this replica never push (run exactly one pushing replica per installation). */
  BURNRATE_RECONCILER: z.enum(["on", "off"]).default("on"),
  BURNRATE_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(30),
});

export type Env = z.infer<typeof EnvSchema>;
let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  cached = parsed.data;
  return cached;
}
