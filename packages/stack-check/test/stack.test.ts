import { describe, expect, it } from "vitest";
import { checkStack, hostPort, interpolate, listeningPorts, SAMPLE_LOG_LINE } from "../src/checks";
import { loadStack, normalizeMounts, repoFs, type Fs, type Stack } from "../src/load";

const fs = repoFs();
const stack = loadStack(fs);
const clone = (): Stack => structuredClone(stack);
const codes = (s: Stack, f: Fs = fs) => checkStack(s, f).map((p) => p.code);

describe("the committed stack", () => {
  it("has no cross-reference problems", () => {
    expect(checkStack(stack, fs)).toEqual([]);
  });

  it("defines every service of the brief", () => {
    const names = Object.keys(stack.compose.services);
    for (const s of [
      "postgres", "web", "prometheus", "alertmanager", "grafana", "loki", "tempo",
      "otel-collector", "node-exporter", "blackbox-exporter", "demo-service",
    ]) expect(names).toContain(s);
  });

  it("shares the rules volume between web and prometheus at BURNRATE_RULES_DIR", () => {
    const dir = stack.compose.services.web.environment.BURNRATE_RULES_DIR;
    const web = normalizeMounts(stack.compose.services.web.volumes).find((m) => m.target === dir);
    const prom = normalizeMounts(stack.compose.services.prometheus.volumes).find((m) => m.target === dir);
    expect(web?.type).toBe("volume");
    expect(prom?.source).toBe(web?.source);
    expect(prom?.readOnly).toBe(true);
    expect(stack.prometheus.rule_files).toContain(`${dir}/*.yml`);
  });

  it("links Loki trace ids to Tempo and Tempo spans back to Loki", () => {
    const ds = Object.values(stack.datasources).flatMap((d) => d.datasources);
    const loki = ds.find((d) => d.uid === "loki");
    const field = loki.jsonData.derivedFields.find((f: { name: string }) => f.name === "trace_id");
    expect(field.datasourceUid).toBe("tempo");
    expect(new RegExp(field.matcherRegex).exec(SAMPLE_LOG_LINE)?.[1]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(ds.find((d) => d.uid === "tempo").jsonData.tracesToLogsV2.datasourceUid).toBe("loki");
    expect(ds.find((d) => d.uid === "prometheus").isDefault).toBe(true);
  });

  it("starts prometheus with lifecycle, external url and 90d retention", () => {
    const cmd: string[] = stack.compose.services.prometheus.command;
    expect(cmd).toContain("--web.enable-lifecycle");
    expect(cmd).toContain("--storage.tsdb.retention.time=90d");
    expect(cmd.some((a) => a.startsWith("--web.external-url="))).toBe(true);
  });

  it("documents every published host port in docker/README.md", () => {
    const readme = fs.read("docker/README.md");
    for (const [name, svc] of Object.entries<{ ports?: unknown[] }>(stack.compose.services)) {
      for (const p of svc.ports ?? []) {
        const hostPortNo = String(p).split(":")[1];
        expect(readme, `${name} port ${hostPortNo}`).toMatch(new RegExp(`\\b${hostPortNo}\\b`));
        expect(readme).toContain(`\`${name}\``);
      }
    }
  });

  it("publishes only on loopback", () => {
    for (const svc of Object.values<{ ports?: unknown[] }>(stack.compose.services)) {
      for (const p of svc.ports ?? []) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
    }
  });
});

describe("helpers", () => {
  it("interpolates compose variables with defaults", () => {
    expect(interpolate("a${X:-d}b")).toBe("adb");
    expect(interpolate("${X:?need it}")).toBe("<X>");
    expect(interpolate("$${__value.raw}")).toBe("${__value.raw}");
    expect(interpolate("${X}")).toBe("");
  });
  it("parses addresses", () => {
    expect(hostPort("http://web:3000/api/metrics")).toEqual({ host: "web", port: 3000 });
    expect(hostPort("postgresql://u:p@postgres:5432/db")).toEqual({ host: "postgres", port: 5432 });
    expect(hostPort("tempo:4317")).toEqual({ host: "tempo", port: 4317 });
    expect(hostPort("http://prometheus/x")).toEqual({ host: "prometheus", port: 80 });
    expect(hostPort("not an address")).toBeUndefined();
  });
  it("collects listening ports from expose and ports", () => {
    expect([...listeningPorts({ expose: ["9090"], ports: ["127.0.0.1:3001:3000", { target: 4317 }] })].sort()).toEqual([3000, 4317, 9090]);
  });
});

/** Matches a long-syntax compose volume entry by source (short-syntax strings never match). */
const hasSource = (source: string) => (v: unknown) => typeof v === "object" && v !== null && "source" in v && v.source === source;

// Each mutation breaks one cross-reference in a parsed copy; the checker must report it.
const mutations: Array<[string, string, (s: Stack) => void, ((f: Fs) => Fs)?]> = [
  ["depends_on an unknown service", "compose.depends_on.missing", (s) => {
    s.compose.services.web.depends_on.postgress = { condition: "service_healthy" };
  }],
  ["service_healthy on a service without healthcheck", "compose.depends_on.healthcheck", (s) => {
    delete s.compose.services.postgres.healthcheck;
  }],
  ["dependency cycle", "compose.depends_on.cycle", (s) => {
    s.compose.services.postgres.depends_on = { web: { condition: "service_started" } };
  }],
  ["undeclared named volume", "compose.volume.undeclared", (s) => {
    delete s.compose.volumes["loki-data"];
  }],
  ["declared volume nobody uses", "compose.volume.unused", (s) => {
    s.compose.volumes.orphan = null;
  }],
  ["scrape target on the wrong port", "prometheus.scrape.port", (s) => {
    s.prometheus.scrape_configs.find((j: { job_name?: string }) => j.job_name === "demo").static_configs[0].targets = ["demo-service:9999"];
  }],
  ["scrape target host that is not a service", "prometheus.scrape.host", (s) => {
    s.prometheus.scrape_configs.find((j: { job_name?: string }) => j.job_name === "node").static_configs[0].targets = ["node_exporter:9100"];
  }],
  ["demo job renamed", "prometheus.job.missing", (s) => {
    s.prometheus.scrape_configs.find((j: { job_name?: string }) => j.job_name === "demo").job_name = "demo-service";
  }],
  ["blackbox probe URL on the wrong port", "prometheus.scrape.port", (s) => {
    s.prometheus.scrape_configs.find((j: { job_name?: string }) => j.job_name === "blackbox").static_configs[0].targets = ["http://web:8080/"];
  }],
  ["blackbox module missing", "blackbox.module", (s) => {
    delete s.blackbox.modules.http_2xx;
  }],
  ["alertmanager target mismatch", "prometheus.alerting", (s) => {
    s.prometheus.alerting.alertmanagers[0].static_configs[0].targets = ["alertmanager:9094"];
  }],
  ["container port changed under prometheus' feet", "prometheus.scrape.port", (s) => {
    s.compose.services["demo-service"].expose = ["8081"];
    s.compose.services["demo-service"].ports = ["127.0.0.1:8081:8081"];
  }],
  ["derived field points at an unknown uid", "grafana.datasource.ref", (s) => {
    const loki = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "loki");
    loki.jsonData.derivedFields[0].datasourceUid = "tempo-old";
  }],
  ["derived field renamed", "grafana.loki.derived-field", (s) => {
    const loki = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "loki");
    loki.jsonData.derivedFields[0].name = "traceID";
  }],
  ["derived field regex no longer matches JSON logs", "grafana.loki.derived-field.regex", (s) => {
    const loki = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "loki");
    loki.jsonData.derivedFields[0].matcherRegex = "traceID=(\\w+)";
  }],
  ["derived field url not escaped for provisioning", "grafana.loki.derived-field.url", (s) => {
    const loki = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "loki");
    loki.jsonData.derivedFields[0].url = "${__value.raw}";
  }],
  ["tracesToLogs points at an unknown uid", "grafana.datasource.ref", (s) => {
    const tempo = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "tempo");
    tempo.jsonData.tracesToLogsV2.datasourceUid = "logs";
  }],
  ["tempo datasource uid changed", "grafana.datasource.missing", (s) => {
    const tempo = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "tempo");
    tempo.uid = "tempo-1";
  }],
  ["datasource URL on the wrong port", "address.port", (s) => {
    const prom = Object.values(s.datasources).flatMap((d) => d.datasources).find((d: { uid?: string }) => d.uid === "prometheus");
    prom.url = "http://prometheus:9091";
  }],
  ["rules volume mounted elsewhere in prometheus", "rules.volume.prometheus", (s) => {
    const m = s.compose.services.prometheus.volumes.find(hasSource("prometheus-rules"));
    m.target = "/etc/prometheus/rules";
  }],
  ["web and prometheus mount different rules volumes", "rules.volume.mismatch", (s) => {
    const m = s.compose.services.web.volumes.find(hasSource("prometheus-rules"));
    m.source = "prometheus-data";
  }],
  ["BURNRATE_RULES_DIR changed", "web.env", (s) => {
    s.compose.services.web.environment.BURNRATE_RULES_DIR = "/rules";
  }],
  ["rule_files outside the shared dir", "prometheus.rule_files", (s) => {
    s.prometheus.rule_files = ["/etc/prometheus/rules/*.yml"];
  }],
  ["alertmanager reads a different file than web writes", "amconfig.path", (s) => {
    const c: string[] = s.compose.services.alertmanager.command;
    c[c.findIndex((a) => a.startsWith("--config.file="))] = "--config.file=/etc/alertmanager/config.yml";
  }],
  ["shared volume mounted without nocopy", "shared.volume.nocopy", (s) => {
    const m = s.compose.services.alertmanager.volumes.find(hasSource("alertmanager-config"));
    delete m.volume;
  }],
  ["prometheus without --web.enable-lifecycle", "prometheus.lifecycle", (s) => {
    s.compose.services.prometheus.command = s.compose.services.prometheus.command.filter((a: string) => a !== "--web.enable-lifecycle");
  }],
  ["prometheus retention changed", "prometheus.retention", (s) => {
    const c: string[] = s.compose.services.prometheus.command;
    c[c.findIndex((a) => a.startsWith("--storage.tsdb.retention.time"))] = "--storage.tsdb.retention.time=15d";
  }],
  ["default receiver is not Burnrate's webhook", "alertmanager.webhook", (s) => {
    s.alertmanager.receivers[0].webhook_configs[0].url = "http://web:3000/api/webhooks";
  }],
  ["bind-mounted config file missing", "compose.bind.missing", (s) => {
    const v: unknown[] = s.compose.services.loki.volumes;
    v[v.indexOf("./docker/loki/config.yaml:/etc/loki/config.yaml:ro")] = "./docker/loki/loki.yaml:/etc/loki/config.yaml:ro";
  }],
  ["web Dockerfile path missing", "compose.build.dockerfile", (s) => {
    s.compose.services.web.build.dockerfile = "docker/Dockerfile.web";
  }],
  ["unpinned image", "compose.image.unpinned", (s) => {
    s.compose.services.loki.image = "grafana/loki:latest";
  }],
  ["port published on all interfaces", "compose.ports.public", (s) => {
    s.compose.services.prometheus.ports = ["9090:9090"];
  }],
  ["collector pipeline uses an undefined exporter", "otel.pipeline.ref", (s) => {
    s.otel.service.pipelines.traces.exporters = ["otlp/jaeger"];
  }],
  ["collector exports traces to the wrong tempo port", "address.port", (s) => {
    s.otel.exporters["otlp/tempo"].endpoint = "tempo:14250";
  }],
  ["collector prometheus exporter port not scraped", "otel.metrics", (s) => {
    s.otel.exporters.prometheus.endpoint = "0.0.0.0:9464";
  }],
  ["demo service sends OTLP nowhere useful", "demo.otlp", (s) => {
    s.compose.services["demo-service"].environment.OTEL_EXPORTER_OTLP_ENDPOINT = "http://localhost:4318";
  }],
  ["DATABASE_URL on the wrong port", "address.port", (s) => {
    s.compose.services.web.environment.DATABASE_URL = "postgresql://burnrate:x@postgres:5433/burnrate";
  }],
  ["dashboard references an unknown datasource", "grafana.dashboard.datasource", (s) => {
    const d = Object.values(s.dashboards)[0];
    d.panels[0].datasource.uid = "mimir";
  }],
  ["Dockerfile COPY source missing", "dockerfile.copy", (_s) => {}, (f) => ({
    ...f,
    exists: (rel) => rel !== "docker/web-entrypoint.sh" && f.exists(rel),
  })],
];

describe("the checker reports broken cross-references", () => {
  it.each(mutations)("%s -> %s", (_name, code, mutate, wrapFs) => {
    const s = clone();
    mutate(s);
    const f = wrapFs ? wrapFs(fs) : fs;
    expect(codes(s, f)).toContain(code);
  });
});
