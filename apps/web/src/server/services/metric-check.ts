import "server-only";
import { METRIC_NAME_RE, closestNames } from "@burnrate/domain";
import { z } from "zod";
import { ApiError } from "../http/errors";
import { prometheus } from "./live";

export type MetricCheck = {
  name: string;
  /** found: at least one series; missing: none (with suggestions); unavailable: Prometheus could not say. */
  status: "found" | "missing" | "unavailable";
  series: number | null;
  suggestions: string[];
  error: string | null;
};

/**
 * Whether a metric name has series in Prometheus, for the SLI form's "no series found" warning.
 * A warning, not a refusal: a metric may legitimately appear only after the first deploy.
 */
export async function checkMetric(name: string): Promise<MetricCheck> {
  if (!METRIC_NAME_RE.test(name) || name.length > 200) throw new ApiError("validation_failed", "name: not a Prometheus metric name", { name: "not a Prometheus metric name" });
  const prom = prometheus();
  if (!prom) return { name, status: "unavailable", series: null, suggestions: [], error: "PROMETHEUS_URL is not set" };
  try {
    // The name is checked against the metric-name grammar above, so it is safe inside the quotes.
    const r = await prom.query(`count({__name__="${name}"})`, undefined, { timeout: "5s" });
    const series = r.data.resultType === "vector" && r.data.result[0]?.value ? Number(r.data.result[0].value[1]) : 0;
    if (series > 0) return { name, status: "found", series, suggestions: [], error: null };
    const names = await prom.api({ path: "/api/v1/label/__name__/values" }, z.array(z.string()), "label values");
    return { name, status: "missing", series: 0, suggestions: closestNames(name, names.data, 3), error: null };
  } catch (err) {
    return { name, status: "unavailable", series: null, suggestions: [], error: (err as Error).message };
  }
}
