import path from "node:path";
import { bindSourceToRepoPath, dockerfileOf, normalizeMounts, type Doc, type Fs, type Mount, type Stack } from "./load";

export interface Problem {
  /** Stable identifier of the rule that failed (tests assert on it). */
  code: string;
  message: string;
}

/** Contract values the stack must honour (task brief + docs/contracts.md). */
export const EXPECT = {
  webEnv: {
    PROMETHEUS_URL: "http://prometheus:9090",
    ALERTMANAGER_URL: "http://alertmanager:9093",
    GRAFANA_URL: "http://grafana:3000",
    BURNRATE_RULES_DIR: "/etc/prometheus/rules/burnrate",
    BURNRATE_ALERTMANAGER_CONFIG: "/etc/alertmanager/alertmanager.yml",
  },
  webRequiredEnv: ["DATABASE_URL", "GRAFANA_TOKEN", "BURNRATE_SECRET_KEY"],
  webhookUrl: "http://web:3000/api/v1/webhooks/alertmanager",
  webDockerfile: "docker/web.Dockerfile",
  datasourceUids: { prometheus: "prometheus", loki: "loki", tempo: "tempo", alertmanager: "alertmanager" },
  derivedFieldName: "trace_id",
  prometheusRetention: "90d",
  /** Required scrape jobs -> compose service they must target (undefined: checked separately). */
  scrapeJobs: {
    prometheus: "prometheus",
    alertmanager: "alertmanager",
    burnrate: "web",
    node: "node-exporter",
    "otel-collector": "otel-collector",
    demo: "demo-service",
    blackbox: "blackbox-exporter",
  } as Record<string, string>,
  blackboxProbes: ["demo-service", "web"],
  /** Host paths that may be bind-mounted (read-only) besides files under docker/. */
  hostBindAllowlist: ["/proc", "/sys", "/", "/var/lib/docker/containers"],
  /** Long-running services allowed without a compose healthcheck (image has no shell/client). */
  noHealthcheckAllowed: ["otel-collector"],
};

/** A sample demo-service log line, used to exercise the Loki derived-field regex. */
export const SAMPLE_LOG_LINE =
  '{"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"request handled","service":"checkout","status":200,' +
  '"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}';
const SAMPLE_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

/**
 * Substitute compose-style variables with their defaults: ${X:-d} / ${X-d} -> d, ${X:?e} -> "<X>",
 * ${X} / $X -> "" (unset), $$ -> $.
 */
export function interpolate(s: string): string {
  return s
    .replace(/\$\$/g, "\u0000")
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}/g, (_m, name, _d, def, req) =>
      def !== undefined ? def : req !== undefined ? `<${name}>` : "",
    )
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, "")
    // eslint-disable-next-line no-control-regex -- NUL is the placeholder for an escaped "$$" set two lines up
    .replace(/\u0000/g, "$");
}

function envOf(svc: Doc): Record<string, string> {
  const env = svc?.environment;
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const e of env) {
      const s = String(e);
      const i = s.indexOf("=");
      if (i > 0) out[s.slice(0, i)] = interpolate(s.slice(i + 1));
    }
  } else if (env && typeof env === "object") {
    for (const [k, v] of Object.entries(env)) out[k] = interpolate(String(v ?? ""));
  }
  return out;
}

function commandArgs(svc: Doc): string[] {
  const c = svc?.command;
  if (Array.isArray(c)) return c.map((x) => interpolate(String(x)));
  if (typeof c === "string") return interpolate(c).split(/\s+/).filter(Boolean);
  return [];
}

function flagValue(args: string[], flag: string): string | undefined {
  for (const a of args) {
    if (a === flag) return "";
    if (a.startsWith(flag + "=")) return a.slice(flag.length + 1);
  }
  return undefined;
}

function dependsOn(svc: Doc): Record<string, string> {
  const d = svc?.depends_on;
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [String(n), "service_started"]));
  if (d && typeof d === "object") {
    return Object.fromEntries(Object.entries<Doc>(d).map(([n, v]) => [n, String(v?.condition ?? "service_started")]));
  }
  return {};
}

/** Container ports a compose service listens on: `expose` plus the container side of `ports`. */
export function listeningPorts(svc: Doc): Set<number> {
  const out = new Set<number>();
  for (const e of svc?.expose ?? []) out.add(Number(String(e).split("/")[0]));
  for (const p of svc?.ports ?? []) {
    if (typeof p === "object" && p) {
      out.add(Number(p.target));
      continue;
    }
    const s = interpolate(String(p)).split("/")[0] ?? "";
    const parts = s.split(":");
    out.add(Number(parts[parts.length - 1]));
  }
  return out;
}

/** Parse "host:port", "scheme://host:port/path" or "postgresql://u:p@host:port/db". */
export function hostPort(s: string): { host: string; port: number } | undefined {
  const str = s.trim();
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([A-Za-z0-9_.-]+)(?::(\d+))?(?:[/?#]|$)/i.exec(str);
  const urlHost = url?.[1];
  if (url && urlHost !== undefined) {
    const scheme = str.slice(0, str.indexOf(":")).toLowerCase();
    const def = scheme === "https" ? 443 : scheme === "http" ? 80 : scheme.startsWith("postgres") ? 5432 : undefined;
    const port = url[2] ? Number(url[2]) : def;
    return port === undefined ? undefined : { host: urlHost, port };
  }
  const hp = /^([A-Za-z0-9_.-]+):(\d+)$/.exec(str);
  const hpHost = hp?.[1];
  if (hp && hpHost !== undefined) return { host: hpHost, port: Number(hp[2]) };
  return undefined;
}

/** Every string leaf of a parsed document, with a dotted path for messages. */
function* strings(doc: Doc, at = ""): Generator<[string, string]> {
  if (typeof doc === "string") yield [at, doc];
  else if (Array.isArray(doc)) for (let i = 0; i < doc.length; i++) yield* strings(doc[i], `${at}[${i}]`);
  else if (doc && typeof doc === "object") for (const [k, v] of Object.entries(doc)) yield* strings(v, at ? `${at}.${k}` : k);
}

function mountsOf(svc: Doc): Mount[] {
  return normalizeMounts(svc?.volumes);
}

/** Undo Grafana provisioning's "$$" escape of a literal "$". */
function grafanaUnescape(s: string): string {
  return s.replace(/\$\$/g, "$");
}

export function checkStack(stack: Stack, fs: Fs): Problem[] {
  const problems: Problem[] = [];
  const report = (code: string, message: string) => problems.push({ code, message });
  const services: Record<string, Doc> = stack.compose?.services ?? {};
  const names = new Set(Object.keys(services));
  const ports = new Map([...names].map((n) => [n, listeningPorts(services[n])]));
  const declaredVolumes = new Set(Object.keys(stack.compose?.volumes ?? {}));

  if (names.size === 0) report("compose.no-services", "compose.yaml defines no services");

  /** A URL or host:port pointing at a compose service must use a port that service listens on. */
  const checkAddress = (where: string, value: string, opts: { self?: string; code?: string } = {}) => {
    const hp = hostPort(value);
    if (!hp) return;
    let host = hp.host;
    if ((host === "localhost" || host === "127.0.0.1") && opts.self) host = opts.self;
    // `ports` has exactly one entry per compose service name.
    const listening = ports.get(host);
    if (listening === undefined) return;
    if (!listening.has(hp.port)) {
      report(opts.code ?? "address.port", `${where}: ${value} -> ${host} does not listen on ${hp.port} (listens on ${[...listening].join(", ") || "nothing"})`);
    }
  };

  // ---------- compose: dependencies ----------
  const conditions = new Set(["service_started", "service_healthy", "service_completed_successfully"]);
  for (const [name, svc] of Object.entries(services)) {
    for (const [dep, cond] of Object.entries(dependsOn(svc))) {
      if (!names.has(dep)) {
        report("compose.depends_on.missing", `${name} depends_on unknown service ${dep}`);
        continue;
      }
      if (!conditions.has(cond)) report("compose.depends_on.condition", `${name} -> ${dep}: unknown condition ${cond}`);
      if (cond === "service_healthy" && !services[dep]?.healthcheck) {
        report("compose.depends_on.healthcheck", `${name} waits for ${dep} to be healthy but ${dep} has no healthcheck`);
      }
      if (cond === "service_completed_successfully" && services[dep]?.restart && services[dep].restart !== "no") {
        report("compose.depends_on.oneshot", `${name} waits for ${dep} to complete but ${dep} restarts (${services[dep].restart})`);
      }
    }
  }
  // cycles
  const state = new Map<string, number>();
  const visit = (n: string, trail: string[]) => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      report("compose.depends_on.cycle", `dependency cycle: ${[...trail, n].join(" -> ")}`);
      return;
    }
    state.set(n, 1);
    for (const d of Object.keys(dependsOn(services[n]))) if (names.has(d)) visit(d, [...trail, n]);
    state.set(n, 2);
  };
  for (const n of names) visit(n, []);

  // ---------- compose: images, healthchecks, ports, volumes, binds, builds ----------
  for (const [name, svc] of Object.entries(services)) {
    const image = svc?.image === undefined ? undefined : String(svc.image);
    if (!svc?.build) {
      if (!image) report("compose.image.missing", `${name} has neither image nor build`);
      else {
        const tag = /:([^/:@]+)$/.exec(image)?.[1];
        if (!image.includes("@sha256:") && (!tag || tag === "latest")) {
          report("compose.image.unpinned", `${name}: image ${image} is not pinned to a tag`);
        }
      }
    }
    const oneShot = svc?.restart === "no";
    if (!oneShot && !svc?.healthcheck && !EXPECT.noHealthcheckAllowed.includes(name)) {
      report("compose.healthcheck.missing", `${name} has no healthcheck`);
    }
    for (const p of svc?.ports ?? []) {
      const s = typeof p === "object" ? String(p?.host_ip ?? "") : interpolate(String(p));
      const hostIp = typeof p === "object" ? s : s.split(":").length === 3 ? s.split(":")[0] : "";
      if (hostIp !== "127.0.0.1") report("compose.ports.public", `${name}: port ${JSON.stringify(p)} is not bound to 127.0.0.1`);
    }
    for (const m of mountsOf(svc)) {
      if (m.type === "volume" && m.source && !declaredVolumes.has(m.source)) {
        report("compose.volume.undeclared", `${name} mounts volume ${m.source} which is not declared under top-level volumes`);
      }
      if (m.type === "bind") {
        const rel = bindSourceToRepoPath(m.source);
        if (rel) {
          if (!fs.exists(rel)) report("compose.bind.missing", `${name}: bind source ${m.source} does not exist`);
          else if (!rel.startsWith("docker/")) report("compose.bind.outside-docker", `${name}: bind source ${m.source} is outside docker/`);
        } else if (!EXPECT.hostBindAllowlist.includes(m.source)) {
          report("compose.bind.host", `${name}: host path ${m.source} is not in the allowlist`);
        } else if (!m.readOnly) {
          report("compose.bind.host-rw", `${name}: host path ${m.source} must be mounted read-only`);
        }
      }
    }
    const df = dockerfileOf(svc);
    if (df) {
      if (!fs.exists(df)) report("compose.build.dockerfile", `${name}: Dockerfile ${df} does not exist`);
      else checkDockerfile(df, stack.dockerfiles[df] ?? fs.read(df), fs, report);
    }
  }
  const usedVolumes = new Set(
    Object.values(services).flatMap((s) => mountsOf(s).filter((m) => m.type === "volume" && m.source).map((m) => m.source)),
  );
  for (const v of declaredVolumes) if (!usedVolumes.has(v)) report("compose.volume.unused", `volume ${v} is declared but not used`);

  if (!services.web?.build || dockerfileOf(services.web) !== EXPECT.webDockerfile) {
    report("web.dockerfile", `web must be built from ${EXPECT.webDockerfile}`);
  }

  // ---------- web environment ----------
  const web = services.web;
  const webEnv = envOf(web);
  for (const [k, v] of Object.entries(EXPECT.webEnv)) {
    if (webEnv[k] !== v) report("web.env", `web env ${k} must be ${v} (is ${webEnv[k] ?? "unset"})`);
  }
  for (const k of EXPECT.webRequiredEnv) if (!(k in webEnv)) report("web.env", `web env ${k} is missing`);
  const db = hostPort(webEnv.DATABASE_URL ?? "");
  if (!db || db.host !== "postgres") report("web.env.database", `DATABASE_URL must point at the postgres service`);
  for (const [k, v] of Object.entries(webEnv)) checkAddress(`web env ${k}`, v);

  // ---------- shared volumes: rules and alertmanager config ----------
  const mountAt = (svc: Doc, target: string) => mountsOf(svc).find((m) => m.target === target);
  const rulesDir = EXPECT.webEnv.BURNRATE_RULES_DIR;
  const webRules = mountAt(web, rulesDir);
  const promRules = mountAt(services.prometheus, rulesDir);
  if (!webRules || webRules.type !== "volume") report("rules.volume.web", `web must mount a named volume at ${rulesDir} (BURNRATE_RULES_DIR)`);
  if (!promRules || promRules.type !== "volume") report("rules.volume.prometheus", `prometheus must mount a named volume at ${rulesDir}`);
  if (webRules && promRules && webRules.source !== promRules.source) {
    report("rules.volume.mismatch", `web (${webRules.source}) and prometheus (${promRules.source}) mount different volumes at ${rulesDir}`);
  }
  if (webRules?.readOnly) report("rules.volume.web-ro", "web must be able to write the rules volume");
  const amConfigFile = EXPECT.webEnv.BURNRATE_ALERTMANAGER_CONFIG;
  const amDir = path.posix.dirname(amConfigFile);
  const webAm = mountAt(web, amDir);
  const amArgs = commandArgs(services.alertmanager);
  const amConfigFlag = flagValue(amArgs, "--config.file");
  const amMount = amConfigFlag ? mountsOf(services.alertmanager).find((m) => amConfigFlag.startsWith(m.target + "/")) : undefined;
  if (!webAm || webAm.type !== "volume") report("amconfig.volume.web", `web must mount a named volume at ${amDir} (BURNRATE_ALERTMANAGER_CONFIG)`);
  if (!amConfigFlag) report("amconfig.flag", "alertmanager must be started with --config.file");
  else if (!amMount || amMount.type !== "volume") report("amconfig.volume.alertmanager", `alertmanager --config.file ${amConfigFlag} is not on a named volume`);
  if (webAm && amMount && amConfigFlag) {
    if (webAm.source !== amMount.source) report("amconfig.volume.mismatch", `web and alertmanager use different config volumes (${webAm.source} vs ${amMount.source})`);
    if (path.posix.relative(amMount.target, amConfigFlag) !== path.posix.relative(webAm.target, amConfigFile)) {
      report("amconfig.path", `alertmanager reads ${amConfigFlag} but web writes ${amConfigFile}`);
    }
  }
  // Shared volumes must not be pre-populated from an image (alertmanager's image ships a default config).
  for (const shared of [webRules?.source, webAm?.source].filter(Boolean) as string[]) {
    for (const [name, svc] of Object.entries(services)) {
      for (const m of mountsOf(svc)) {
        if (m.type === "volume" && m.source === shared && name !== "stack-init" && !m.nocopy) {
          report("shared.volume.nocopy", `${name} mounts shared volume ${shared} without nocopy`);
        }
      }
    }
  }
  const init = Object.entries(services).find(([, s]) => mountsOf(s).some((m) => m.type === "bind" && bindSourceToRepoPath(m.source) === "docker/alertmanager/alertmanager.yml"));
  if (!init) report("amconfig.bootstrap", "no service seeds docker/alertmanager/alertmanager.yml into the alertmanager config volume");
  else if (webAm && !mountsOf(init[1]).some((m) => m.type === "volume" && m.source === webAm.source)) {
    report("amconfig.bootstrap", `${init[0]} does not mount the alertmanager config volume ${webAm.source}`);
  }

  // ---------- prometheus ----------
  const promArgs = commandArgs(services.prometheus);
  if (flagValue(promArgs, "--web.enable-lifecycle") === undefined) report("prometheus.lifecycle", "prometheus needs --web.enable-lifecycle (Burnrate calls /-/reload)");
  if (!flagValue(promArgs, "--web.external-url")) report("prometheus.external-url", "prometheus needs --web.external-url");
  if (flagValue(promArgs, "--storage.tsdb.retention.time") !== EXPECT.prometheusRetention) {
    report("prometheus.retention", `prometheus retention must be ${EXPECT.prometheusRetention}`);
  }
  const promConfigFlag = flagValue(promArgs, "--config.file") ?? "/etc/prometheus/prometheus.yml";
  const promConfigMount = mountAt(services.prometheus, promConfigFlag);
  if (!promConfigMount || bindSourceToRepoPath(promConfigMount.source) !== "docker/prometheus/prometheus.yml") {
    report("prometheus.config-mount", `prometheus --config.file ${promConfigFlag} is not bind-mounted from docker/prometheus/prometheus.yml`);
  }
  if (flagValue(promArgs, "--web.enable-remote-write-receiver") === undefined && (stack.tempo?.metrics_generator?.storage?.remote_write ?? []).length) {
    report("prometheus.remote-write", "tempo remote-writes to prometheus but --web.enable-remote-write-receiver is not set");
  }
  const ruleFiles: string[] = (stack.prometheus?.rule_files ?? []).map(String);
  if (!ruleFiles.some((g) => path.posix.dirname(g) === rulesDir)) {
    report("prometheus.rule_files", `rule_files must include a glob directly under ${rulesDir} (got ${JSON.stringify(ruleFiles)})`);
  }
  for (const g of ruleFiles) {
    if (!g.startsWith(rulesDir + "/") && !mountsOf(services.prometheus).some((m) => g.startsWith(m.target + "/"))) {
      report("prometheus.rule_files.unmounted", `rule_files ${g} is not under any prometheus mount`);
    }
  }
  // alerting target
  const amTargets: string[] = (stack.prometheus?.alerting?.alertmanagers ?? []).flatMap((a: Doc) =>
    (a?.static_configs ?? []).flatMap((s: Doc) => (s?.targets ?? []).map(String)),
  );
  const amUrl = hostPort(webEnv.ALERTMANAGER_URL ?? "");
  if (amTargets.length === 0) report("prometheus.alerting", "prometheus.yml has no alertmanager target");
  for (const t of amTargets) {
    const hp = hostPort(t);
    if (!hp || hp.host !== "alertmanager") report("prometheus.alerting", `alerting target ${t} is not the alertmanager service`);
    else if (!ports.get("alertmanager")?.has(hp.port)) report("prometheus.alerting", `alerting target ${t}: alertmanager does not listen on ${hp.port}`);
    else if (amUrl && (amUrl.host !== hp.host || amUrl.port !== hp.port)) report("prometheus.alerting", `alerting target ${t} differs from web ALERTMANAGER_URL`);
  }
  // scrape jobs
  const jobs = new Map<string, Doc>();
  for (const sc of stack.prometheus?.scrape_configs ?? []) {
    if (jobs.has(sc?.job_name)) report("prometheus.job.duplicate", `duplicate scrape job ${sc?.job_name}`);
    jobs.set(sc?.job_name, sc);
  }
  const targetsOf = (sc: Doc): string[] => (sc?.static_configs ?? []).flatMap((s: Doc) => (s?.targets ?? []).map(String));
  const replacementAddress = (sc: Doc): string | undefined =>
    (sc?.relabel_configs ?? []).find((r: Doc) => r?.target_label === "__address__")?.replacement;
  for (const [job, sc] of jobs) {
    const replaced = replacementAddress(sc);
    if (replaced) {
      checkAddress(`scrape job ${job} __address__`, replaced, { code: "prometheus.scrape.port" });
      if (!names.has(hostPort(replaced)?.host ?? "")) report("prometheus.scrape.host", `scrape job ${job}: ${replaced} is not a compose service`);
    }
    for (const t of targetsOf(sc)) {
      // With an __address__ rewrite (blackbox) the targets are probe URLs; otherwise scrape addresses.
      checkAddress(`scrape job ${job} target`, t, { self: "prometheus", code: "prometheus.scrape.port" });
      const hp = hostPort(t);
      const host = hp?.host === "localhost" ? "prometheus" : hp?.host;
      if (!host || !names.has(host)) report("prometheus.scrape.host", `scrape job ${job}: target ${t} is not a compose service`);
    }
  }
  for (const [job, service] of Object.entries(EXPECT.scrapeJobs)) {
    const sc = jobs.get(job);
    if (!sc) {
      report("prometheus.job.missing", `scrape job ${job} is missing`);
      continue;
    }
    const hosts = new Set(
      [replacementAddress(sc), ...(replacementAddress(sc) ? [] : targetsOf(sc))]
        .filter(Boolean)
        .map((t) => hostPort(String(t))?.host)
        .map((h) => (h === "localhost" ? "prometheus" : h)),
    );
    if (!hosts.has(service)) report("prometheus.job.target", `scrape job ${job} must target ${service} (targets ${[...hosts].join(", ")})`);
  }
  if (jobs.get("burnrate") && jobs.get("burnrate").metrics_path !== "/api/metrics") {
    report("prometheus.job.burnrate", "scrape job burnrate must use metrics_path /api/metrics");
  }
  const bb = jobs.get("blackbox");
  if (bb) {
    const probed = new Set(targetsOf(bb).map((t) => hostPort(t)?.host));
    for (const s of EXPECT.blackboxProbes) if (!probed.has(s)) report("blackbox.probe", `blackbox job does not probe ${s}`);
    for (const mod of bb?.params?.module ?? []) {
      if (!stack.blackbox?.modules?.[mod]) report("blackbox.module", `blackbox module ${mod} is not defined in docker/blackbox/blackbox.yml`);
    }
    if (bb.metrics_path !== "/probe") report("blackbox.path", "blackbox job must use metrics_path /probe");
  }
  // demo service listens where it says
  const demoEnv = envOf(services["demo-service"]);
  if (demoEnv.PORT && !ports.get("demo-service")?.has(Number(demoEnv.PORT))) {
    report("demo.port", `demo-service PORT=${demoEnv.PORT} is not in its exposed ports`);
  }
  if (!demoEnv.OTEL_EXPORTER_OTLP_ENDPOINT || hostPort(demoEnv.OTEL_EXPORTER_OTLP_ENDPOINT)?.host !== "otel-collector") {
    report("demo.otlp", "demo-service OTEL_EXPORTER_OTLP_ENDPOINT must point at otel-collector");
  }

  // ---------- alertmanager ----------
  const am = stack.alertmanager;
  const defaultReceiver = am?.route?.receiver;
  const receivers = new Map<string, Doc>((am?.receivers ?? []).map((r: Doc) => [r?.name, r]));
  const recv = receivers.get(defaultReceiver);
  if (!recv) report("alertmanager.receiver", `default receiver ${defaultReceiver} is not defined`);
  else if (!(recv.webhook_configs ?? []).some((w: Doc) => w?.url === EXPECT.webhookUrl)) {
    report("alertmanager.webhook", `default receiver ${defaultReceiver} must post to ${EXPECT.webhookUrl}`);
  }
  if (webEnv.BURNRATE_ALERTMANAGER_WEBHOOK_URL !== EXPECT.webhookUrl) {
    report("web.env.webhook", `web BURNRATE_ALERTMANAGER_WEBHOOK_URL must be ${EXPECT.webhookUrl} (reachable from alertmanager)`);
  }

  // ---------- grafana ----------
  const allDatasources: Doc[] = Object.values(stack.datasources).flatMap((d) => d?.datasources ?? []);
  const byUid = new Map<string, Doc>();
  for (const ds of allDatasources) {
    if (!ds?.uid) report("grafana.datasource.uid", `datasource ${ds?.name} has no fixed uid`);
    else if (byUid.has(ds.uid)) report("grafana.datasource.duplicate", `duplicate datasource uid ${ds.uid}`);
    else byUid.set(ds.uid, ds);
  }
  for (const [type, uid] of Object.entries(EXPECT.datasourceUids)) {
    const ds = byUid.get(uid);
    if (!ds) report("grafana.datasource.missing", `datasource uid ${uid} (${type}) is missing`);
    else if (ds.type !== type) report("grafana.datasource.type", `datasource ${uid} has type ${ds.type}, expected ${type}`);
  }
  for (const [file, doc] of Object.entries(stack.datasources)) {
    for (const [at, v] of strings(doc)) {
      if (/(^|\.)(datasourceUid)$/.test(at) && !byUid.has(v)) report("grafana.datasource.ref", `${file}: ${at} references unknown datasource uid ${v}`);
      if (/\.url$|^url$/.test(at) || /\.url$/.test(at)) checkAddress(`${file}: ${at}`, grafanaUnescape(v));
    }
  }
  const loki = byUid.get(EXPECT.datasourceUids.loki);
  const derived: Doc[] = loki?.jsonData?.derivedFields ?? [];
  const traceField = derived.find((f) => f?.name === EXPECT.derivedFieldName);
  if (!traceField) report("grafana.loki.derived-field", `Loki datasource needs a derived field named ${EXPECT.derivedFieldName}`);
  else {
    if (traceField.datasourceUid !== EXPECT.datasourceUids.tempo) {
      report("grafana.loki.derived-field.uid", `derived field ${traceField.name} links to ${traceField.datasourceUid}, expected ${EXPECT.datasourceUids.tempo}`);
    }
    let re: RegExp | undefined;
    try {
      re = new RegExp(String(traceField.matcherRegex));
    } catch {
      report("grafana.loki.derived-field.regex", `derived field regex ${traceField.matcherRegex} does not compile`);
    }
    if (re && re.exec(SAMPLE_LOG_LINE)?.[1] !== SAMPLE_TRACE_ID) {
      report("grafana.loki.derived-field.regex", `derived field regex ${traceField.matcherRegex} does not capture trace_id from a demo JSON log line`);
    }
    if (traceField.matcherType && traceField.matcherType !== "regex") report("grafana.loki.derived-field.regex", "derived field must be a regex matcher");
    // Grafana expands ${VAR} in provisioning files; the literal must be written "$${__value.raw}".
    if (String(traceField.url ?? "") !== "$${__value.raw}") {
      report("grafana.loki.derived-field.url", "derived field url must be $${__value.raw} (escaped for provisioning)");
    }
  }
  const tempo = byUid.get(EXPECT.datasourceUids.tempo);
  if (tempo?.jsonData?.tracesToLogsV2?.datasourceUid !== EXPECT.datasourceUids.loki) {
    report("grafana.tempo.traces-to-logs", `Tempo tracesToLogsV2.datasourceUid must be ${EXPECT.datasourceUids.loki}`);
  }
  // provisioning dirs are mounted where grafana looks, dashboards dirs exist
  const grafanaMounts = mountsOf(services.grafana);
  const mountedFrom = (target: string) => grafanaMounts.find((m) => m.target === target);
  for (const [target, src] of [
    ["/etc/grafana/provisioning/datasources", "docker/grafana/provisioning/datasources"],
    ["/etc/grafana/provisioning/dashboards", "docker/grafana/provisioning/dashboards"],
  ] as const) {
    const m = mountedFrom(target);
    if (!m || bindSourceToRepoPath(m.source) !== src) report("grafana.provisioning.mount", `grafana must bind-mount ${src} at ${target}`);
  }
  const gEnv = envOf(services.grafana);
  for (const k of ["GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD"]) {
    const raw = String(services.grafana?.environment?.[k] ?? "");
    if (!(k in gEnv) || !raw.includes("${")) report("grafana.admin", `grafana ${k} must come from the environment`);
  }
  for (const [file, doc] of Object.entries(stack.dashboardProviders)) {
    for (const p of doc?.providers ?? []) {
      const dir = String(p?.options?.path ?? "");
      const m = grafanaMounts.find((x) => dir === x.target || dir.startsWith(x.target + "/"));
      if (!m) report("grafana.dashboards.path", `${file}: provider ${p?.name} path ${dir} is not mounted into grafana`);
      else if (m.type === "bind") {
        const src = bindSourceToRepoPath(m.source);
        if (!src || !fs.isDir(src)) report("grafana.dashboards.path", `${file}: provider ${p?.name} source ${m.source} is not a directory`);
      }
    }
  }
  if (Object.keys(stack.dashboardProviders).length === 0) report("grafana.dashboards.provider", "no dashboard provider provisioning file");
  for (const [file, dash] of Object.entries(stack.dashboards)) {
    if (!dash?.uid || !dash?.title) report("grafana.dashboard", `${file}: dashboard needs uid and title`);
    for (const [at, v] of strings(dash)) {
      if (/datasource\.uid$/.test(at) && !v.startsWith("$") && !byUid.has(v)) report("grafana.dashboard.datasource", `${file}: ${at} references unknown datasource uid ${v}`);
    }
  }

  // ---------- collector, tempo, loki ----------
  const otel = stack.otel ?? {};
  for (const [pname, p] of Object.entries<Doc>(otel?.service?.pipelines ?? {})) {
    for (const kind of ["receivers", "processors", "exporters"] as const) {
      for (const c of p?.[kind] ?? []) if (!(c in (otel[kind] ?? {}))) report("otel.pipeline.ref", `pipeline ${pname} uses undefined ${kind.slice(0, -1)} ${c}`);
    }
  }
  for (const e of otel?.service?.extensions ?? []) if (!(e in (otel.extensions ?? {}))) report("otel.pipeline.ref", `extension ${e} is not defined`);
  const pipelineExporters = (sig: string): string[] =>
    Object.entries<Doc>(otel?.service?.pipelines ?? {}).filter(([n]) => n === sig || n.startsWith(sig + "/")).flatMap(([, p]) => p?.exporters ?? []);
  const exporterHosts = (sig: string) => pipelineExporters(sig).map((e) => hostPort(String(otel.exporters?.[e]?.endpoint ?? ""))?.host);
  if (!exporterHosts("traces").includes("tempo")) report("otel.traces", "collector traces pipeline must export to tempo");
  if (!exporterHosts("logs").includes("loki")) report("otel.logs", "collector logs pipeline must export to loki");
  const promExporter = pipelineExporters("metrics").find((e) => e === "prometheus" || e.startsWith("prometheus/"));
  if (!promExporter) report("otel.metrics", "collector metrics pipeline must use the prometheus exporter");
  else {
    const port = hostPort(String(otel.exporters[promExporter]?.endpoint ?? ""))?.port;
    const scraped = targetsOf(jobs.get("otel-collector")).map((t) => hostPort(t)?.port);
    if (!port || !scraped.includes(port)) report("otel.metrics", `prometheus exporter port ${port} is not what job otel-collector scrapes (${scraped.join(", ")})`);
  }
  for (const [rname, r] of Object.entries<Doc>(otel.receivers ?? {})) {
    if (!rname.startsWith("otlp")) continue;
    for (const proto of Object.values<Doc>(r?.protocols ?? {})) {
      const p = hostPort(String(proto?.endpoint ?? ""))?.port;
      if (p && !ports.get("otel-collector")?.has(p)) report("otel.receiver.port", `collector OTLP receiver port ${p} is not exposed`);
    }
  }
  for (const proto of Object.values<Doc>(stack.tempo?.distributor?.receivers?.otlp?.protocols ?? {})) {
    const p = hostPort(String(proto?.endpoint ?? ""))?.port;
    if (p && !ports.get("tempo")?.has(p)) report("tempo.receiver.port", `tempo OTLP receiver port ${p} is not exposed`);
  }
  if (!ports.get("tempo")?.has(Number(stack.tempo?.server?.http_listen_port))) report("tempo.port", "tempo http_listen_port is not exposed");
  if (!ports.get("loki")?.has(Number(stack.loki?.server?.http_listen_port))) report("loki.port", "loki http_listen_port is not exposed");
  if (stack.loki?.limits_config?.allow_structured_metadata === false) report("loki.otlp", "Loki OTLP ingestion needs allow_structured_metadata");

  // ---------- every address in every config file ----------
  const configDocs: Array<[string, Doc, string?]> = [
    ["docker/prometheus/prometheus.yml", stack.prometheus, "prometheus"],
    ["docker/alertmanager/alertmanager.yml", stack.alertmanager, "alertmanager"],
    ["docker/loki/config.yaml", stack.loki, "loki"],
    ["docker/tempo/tempo.yaml", stack.tempo, "tempo"],
    ["docker/otel-collector/config.yaml", stack.otel, "otel-collector"],
  ];
  for (const [file, doc, self] of configDocs) {
    for (const [at, v] of strings(doc)) {
      // Listen addresses (0.0.0.0:port) are not references; localhost means the service itself.
      checkAddress(`${file}: ${at}`, v, { self });
    }
  }
  for (const [name, svc] of Object.entries(services)) {
    // localhost in env values is usually a host-facing URL (root_url, external-url): not checked.
    for (const [k, v] of Object.entries(envOf(svc))) checkAddress(`${name} env ${k}`, v);
    const hc = svc?.healthcheck?.test;
    for (const part of Array.isArray(hc) ? hc : hc ? [hc] : []) {
      for (const m of String(part).matchAll(/https?:\/\/[^\s'"]+/g)) checkAddress(`${name} healthcheck`, m[0], { self: name, code: "compose.healthcheck.port" });
    }
  }

  return problems;
}

function checkDockerfile(file: string, text: string, fs: Fs, report: (code: string, message: string) => void) {
  // COPY sources from the build context (repo root) must exist.
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const line of lines) {
    const m = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m) continue;
    const args = (m[2] ?? "").trim().split(/\s+/);
    if (args.some((a) => a.startsWith("--from="))) continue;
    const srcs = args.filter((a) => !a.startsWith("--")).slice(0, -1);
    for (const s of srcs) {
      if (s === "." || s.includes("*")) continue;
      if (!fs.exists(s)) report("dockerfile.copy", `${file}: COPY source ${s} does not exist`);
    }
  }
  if (!/^\s*(CMD|ENTRYPOINT)\b/im.test(text)) report("dockerfile.cmd", `${file} has no CMD/ENTRYPOINT`);
}
