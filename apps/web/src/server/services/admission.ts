import "server-only";
import {
  admitSlo,
  generateRuleFiles,
  issuesToFields,
  type Admission,
  type AdmissionContext,
  type FieldIssue,
  type SloBundle,
  type SloSpec,
} from "@burnrate/domain";
import { execFile } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "~/lib/env";
import { ApiError } from "../http/errors";

/**
 * The server side of the admission gate (packages/domain/src/admission): turns refusals into 422
 * with `fields`, and, where promtool is installed, also runs it on the one SLO's generated rules
 * (exact for the installed Prometheus version; ~50 ms) so the save path refuses what the push
 * would refuse.
 */

/** Target capabilities; the default is the oldest supported Prometheus (2.42 / Go 1.19). */
export function admissionContext(): AdmissionContext {
  return { goVersion: env().BURNRATE_TARGET_GO_VERSION };
}

/**
 * Throws a 422 naming every refused field (paths prefixed, e.g. `spec.matchers.0.value`). An SLO
 * refused for its SLI's spec (`sli.matchers.0.value`) also gets a summary on `sli`, the field of
 * the SLO form that names the SLI.
 */
export function refuse(issues: FieldIssue[], prefix = ""): never {
  const prefixed = issues.map((i) => ({ field: prefix ? `${prefix}.${i.field}` : i.field, message: i.message }));
  const first = prefixed[0];
  const fields = issuesToFields(prefixed);
  const sliIssue = prefixed.find((i) => i.field.startsWith("sli."));
  if (!prefix && sliIssue) fields.sli ??= `the SLI is refused: ${sliIssue.field.slice(4)} ${sliIssue.message}`;
  throw new ApiError("validation_failed", first ? `${first.field}: ${first.message}` : "refused by the admission gate", fields);
}

/** The admitted value, or a 422. */
export function admitted<T>(r: Admission<T>, prefix = ""): { value: T; warnings: FieldIssue[] } {
  if (!r.ok) refuse(r.errors, prefix);
  return { value: r.value, warnings: r.warnings };
}

function promtoolPath(): string | null {
  if (env().BURNRATE_ADMISSION_TOOLS === "off") return null;
  const p = env().BURNRATE_PROMTOOL ?? "/usr/bin/promtool";
  return existsSync(p) ? p : null;
}

function exec(bin: string, args: string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

/** Which SLO field a promtool message is about, as well as it can be told. */
export function fieldOfToolMessage(message: string, bundle: SloBundle): string {
  const sli = bundle.slo.sli;
  if ("matchers" in sli) {
    const lists: Array<[string, { value: string }[]]> = [["sli.matchers", sli.matchers]];
    if (sli.kind === "availability") lists.push(["sli.errorMatchers", sli.errorMatchers]);
    for (const [field, list] of lists) {
      const i = list.findIndex((m) => m.value !== "" && message.includes(m.value));
      if (i >= 0) return `${field}.${i}.value`;
    }
  }
  if (sli.kind === "custom") return sli.errorQuery ? "sli.errorQuery" : "sli.goodQuery";
  if (sli.kind === "saturation") return "sli.query";
  if (/label/i.test(message)) return "labels";
  if (/for|duration/i.test(message)) return "alerting.windows";
  return "sli";
}

/**
 * promtool check rules on the rule files of many SLOs in one call (imports); refusals by SLO slug.
 */
export async function toolIssuesBatch(bundles: SloBundle[]): Promise<Map<string, FieldIssue[]>> {
  const out = new Map<string, FieldIssue[]>();
  const bin = promtoolPath();
  if (!bin || bundles.length === 0) return out;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "burnrate-admit-"));
  try {
    const bySlug = new Map(bundles.map((b) => [b.slo.slug, b]));
    const paths: string[] = [];
    for (const f of generateRuleFiles(bundles, { version: "admission", infrastructure: { enabled: false } })) {
      const p = path.join(dir, f.path);
      await fs.writeFile(p, f.content);
      paths.push(p);
    }
    const r = await exec(bin, ["check", "rules", ...paths], 60_000);
    if (r.code === 0) return out;
    for (const line of r.out.split("\n")) {
      const m = /slo-([a-z0-9-]+)\.yml:\s*(.*)$/.exec(line);
      const b = m ? bySlug.get(m[1] ?? "") : undefined;
      if (!m || !b) continue;
      const message = (m[2] ?? "").replace(/^\d+:\d+: group "[^"]*", rule \d+, "[^"]*": /, "").trim().slice(0, 500);
      out.set(b.slo.slug, [{ field: fieldOfToolMessage(message, b), message: `promtool refuses the generated rules: ${message}` }]);
    }
    return out;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * promtool check rules on the SLO's generated rule file. Returns the refusal as a field issue, or
 * null when promtool accepts it or is not installed (the in-process gate already ran).
 */
export async function toolIssues(bundle: SloBundle): Promise<FieldIssue[]> {
  const bin = promtoolPath();
  if (!bin) return [];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "burnrate-admit-"));
  try {
    const files = generateRuleFiles([bundle], { version: "admission", infrastructure: { enabled: false } });
    const paths: string[] = [];
    for (const f of files) {
      const p = path.join(dir, f.path);
      await fs.writeFile(p, f.content);
      paths.push(p);
    }
    const r = await exec(bin, ["check", "rules", ...paths], 4_000);
    if (r.code === 0) return [];
    const line = r.out.split("\n").find((l) => /could not parse|error|FAILED:.+:/i.test(l) && !/^\s*FAILED:\s*$/.test(l)) ?? r.out.trim();
    const message = line.replace(/^.*?\.yml:\s*/, "").replace(/^\d+:\d+: group "[^"]*", rule \d+, "[^"]*": /, "").trim().slice(0, 500);
    return [{ field: fieldOfToolMessage(message, bundle), message: `promtool refuses the generated rules: ${message}` }];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The full gate for one SLO: in-process checks, then (unless `tools` is false) promtool on its rules. */
export async function admitSloForSave(input: unknown, bundleOf: (slo: SloSpec) => SloBundle, opts: { tools?: boolean } = {}) {
  const r = admitted(admitSlo(input, admissionContext()));
  if (opts.tools !== false) {
    const issues = await toolIssues(bundleOf(r.value));
    if (issues.length) refuse(issues);
  }
  return r;
}
