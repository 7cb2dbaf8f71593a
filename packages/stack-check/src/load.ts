import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** Repository root (packages/stack-check/src -> ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Paths of the stack files, relative to the repository root. */
export const FILES = {
  compose: "compose.yaml",
  prometheus: "docker/prometheus/prometheus.yml",
  alertmanager: "docker/alertmanager/alertmanager.yml",
  datasourcesDir: "docker/grafana/provisioning/datasources",
  dashboardProvidersDir: "docker/grafana/provisioning/dashboards",
  loki: "docker/loki/config.yaml",
  tempo: "docker/tempo/tempo.yaml",
  otel: "docker/otel-collector/config.yaml",
  blackbox: "docker/blackbox/blackbox.yml",
} as const;

// Parsed YAML/JSON is dynamically shaped; checks validate the shape as they go.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = any;

export interface Stack {
  compose: Doc;
  prometheus: Doc;
  alertmanager: Doc;
  /** file (relative to repo root) -> parsed datasource provisioning file */
  datasources: Record<string, Doc>;
  /** file -> parsed dashboard provider provisioning file */
  dashboardProviders: Record<string, Doc>;
  /** file -> parsed dashboard JSON (from host dirs mounted at provider paths) */
  dashboards: Record<string, Doc>;
  loki: Doc;
  tempo: Doc;
  otel: Doc;
  blackbox: Doc;
  /** Dockerfile path (relative to repo root) -> content */
  dockerfiles: Record<string, string>;
}

export interface Fs {
  /** Does a file or directory exist at this repo-relative path? */
  exists(rel: string): boolean;
  isDir(rel: string): boolean;
  list(rel: string): string[];
  read(rel: string): string;
}

export function repoFs(root = REPO_ROOT): Fs {
  const abs = (rel: string) => path.resolve(root, rel);
  return {
    exists: (rel) => existsSync(abs(rel)),
    isDir: (rel) => existsSync(abs(rel)) && statSync(abs(rel)).isDirectory(),
    list: (rel) => readdirSync(abs(rel)).sort(),
    read: (rel) => readFileSync(abs(rel), "utf8"),
  };
}

const yamlOpts = { maxAliasCount: 1000, merge: true } as const;

export function parseYaml(text: string, file: string): Doc {
  try {
    return parse(text, yamlOpts);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

function yamlFilesIn(fs: Fs, dir: string): string[] {
  if (!fs.isDir(dir)) return [];
  return fs.list(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);
}

/** Resolve a compose bind-mount source (relative to the compose file) to a repo-relative path. */
export function bindSourceToRepoPath(source: string): string | undefined {
  if (!source.startsWith("./") && !source.startsWith("../") && source !== ".") return undefined;
  return path.posix.normalize(source);
}

/** Load and parse every file of the stack. Throws on YAML/JSON syntax errors. */
export function loadStack(fs: Fs = repoFs()): Stack {
  const y = (rel: string) => parseYaml(fs.read(rel), rel);
  const compose = y(FILES.compose);

  const datasources: Record<string, Doc> = {};
  for (const f of yamlFilesIn(fs, FILES.datasourcesDir)) datasources[f] = y(f);
  const dashboardProviders: Record<string, Doc> = {};
  for (const f of yamlFilesIn(fs, FILES.dashboardProvidersDir)) dashboardProviders[f] = y(f);

  // Dashboards: JSON files in host directories bind-mounted into grafana.
  const dashboards: Record<string, Doc> = {};
  const grafana = compose?.services?.grafana;
  for (const m of normalizeMounts(grafana?.volumes)) {
    if (m.type !== "bind") continue;
    const src = bindSourceToRepoPath(m.source);
    if (!src || !fs.isDir(src)) continue;
    for (const f of fs.list(src).filter((n) => n.endsWith(".json"))) {
      const rel = `${src}/${f}`;
      try {
        dashboards[rel] = JSON.parse(fs.read(rel));
      } catch (err) {
        throw new Error(`${rel}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  const dockerfiles: Record<string, string> = {};
  for (const svc of Object.values<Doc>(compose?.services ?? {})) {
    const df = dockerfileOf(svc);
    if (df && fs.exists(df)) dockerfiles[df] = fs.read(df);
  }

  return {
    compose,
    prometheus: y(FILES.prometheus),
    alertmanager: y(FILES.alertmanager),
    datasources,
    dashboardProviders,
    dashboards,
    loki: y(FILES.loki),
    tempo: y(FILES.tempo),
    otel: y(FILES.otel),
    blackbox: y(FILES.blackbox),
    dockerfiles,
  };
}

/** Repo-relative Dockerfile path of a compose service with a build section. */
export function dockerfileOf(svc: Doc): string | undefined {
  if (!svc?.build) return undefined;
  const build = typeof svc.build === "string" ? { context: svc.build } : svc.build;
  const context = bindSourceToRepoPath(build.context === "." ? "./" : String(build.context ?? ".")) ?? String(build.context);
  return path.posix.normalize(path.posix.join(context, build.dockerfile ?? "Dockerfile"));
}

export interface Mount {
  type: "bind" | "volume" | "tmpfs" | "other";
  source: string;
  target: string;
  readOnly: boolean;
  nocopy: boolean;
}

/** Normalize compose short and long volume syntax. */
export function normalizeMounts(volumes: Doc): Mount[] {
  if (!Array.isArray(volumes)) return [];
  return volumes.map((v: Doc): Mount => {
    if (typeof v === "string") {
      const parts = v.split(":");
      const [source = "", target = "", mode = ""] = parts.length === 1 ? ["", parts[0], ""] : parts;
      const isBind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
      const opts = mode.split(",");
      return {
        type: source === "" ? "volume" : isBind ? "bind" : "volume",
        source,
        target,
        readOnly: opts.includes("ro"),
        nocopy: opts.includes("nocopy"),
      };
    }
    const type = v?.type === "bind" || v?.type === "volume" || v?.type === "tmpfs" ? v.type : "other";
    return {
      type,
      source: String(v?.source ?? ""),
      target: String(v?.target ?? ""),
      readOnly: v?.read_only === true,
      nocopy: v?.volume?.nocopy === true,
    };
  });
}
