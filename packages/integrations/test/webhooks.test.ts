import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseAlertmanagerWebhook,
  parseDeploymentBody,
  parseGithubDeploymentStatus,
  parseGitlabDeployment,
  signGithubBody,
  signStandardWebhook,
  verifyGithubSignature,
  verifyGitlabSignature,
  verifyGitlabToken,
} from "../src/webhooks/index";

const dir = join(__dirname, "fixtures", "webhooks");
const raw = (f: string) => readFileSync(join(dir, f));
const json = (f: string) => JSON.parse(raw(f).toString("utf8"));
const vectors = json("signatures.json");

describe("verifyGithubSignature (X-Hub-Signature-256)", () => {
  const body = raw("github-deployment_status.json");
  const secret: string = vectors.github.secret;

  it("accepts GitHub's documented test vector and the openssl-signed fixture", () => {
    expect(verifyGithubSignature(vectors.github.docs_vector.body, vectors.github.docs_vector["X-Hub-Signature-256"], secret)).toEqual({ ok: true });
    expect(verifyGithubSignature(body, vectors.github["X-Hub-Signature-256"], secret)).toEqual({ ok: true });
    expect(signGithubBody(body, secret)).toBe(vectors.github["X-Hub-Signature-256"]);
  });

  it("accepts upper-case hex and a single-element header array", () => {
    expect(verifyGithubSignature(body, [`sha256=${vectors.github["X-Hub-Signature-256"].slice(7).toUpperCase()}`], secret).ok).toBe(true);
  });

  it("rejects a body changed by one byte, or the wrong secret, as mismatch", () => {
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 1;
    expect(verifyGithubSignature(tampered, vectors.github["X-Hub-Signature-256"], secret)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(verifyGithubSignature(body, vectors.github["X-Hub-Signature-256"], "other")).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("reports a missing header, a missing secret and malformed headers distinctly", () => {
    expect(verifyGithubSignature(body, undefined, secret)).toMatchObject({ ok: false, reason: "missing_header" });
    expect(verifyGithubSignature(body, "", secret)).toMatchObject({ ok: false, reason: "missing_header" });
    expect(verifyGithubSignature(body, vectors.github["X-Hub-Signature-256"], "")).toMatchObject({ ok: false, reason: "missing_secret" });
    for (const bad of ["sha1=2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", "sha256=abc", "f1d01d16643c520117b7f9cec49ecb6d1497a56967245597c6f65b875302948f", `sha256=${"z".repeat(64)}`]) {
      expect(verifyGithubSignature(body, bad, secret)).toMatchObject({ ok: false, reason: "malformed_header" });
    }
    expect(verifyGithubSignature(body, ["a", "b"], secret)).toMatchObject({ ok: false, reason: "missing_header" });
  });
});

describe("GitLab X-Gitlab-Token and webhook-signature", () => {
  const g = vectors.gitlab;
  const body = raw("gitlab-deployment.json");
  const headers = { webhookId: g["webhook-id"], webhookTimestamp: g["webhook-timestamp"], webhookSignature: g["webhook-signature"] };
  const now = Number(g["webhook-timestamp"]) * 1000 + 10_000;

  it("compares the plaintext token in constant time", () => {
    expect(verifyGitlabToken(g["X-Gitlab-Token"], g["X-Gitlab-Token"])).toEqual({ ok: true });
    expect(verifyGitlabToken("glwt-7f6c1d2e9c", g["X-Gitlab-Token"])).toMatchObject({ ok: false, reason: "mismatch" });
    expect(verifyGitlabToken("short", g["X-Gitlab-Token"])).toMatchObject({ ok: false, reason: "mismatch" });
    expect(verifyGitlabToken(undefined, g["X-Gitlab-Token"])).toMatchObject({ ok: false, reason: "missing_header" });
    expect(verifyGitlabToken("x", "")).toMatchObject({ ok: false, reason: "missing_secret" });
  });

  it("verifies the Standard Webhooks spec vector and the openssl-signed fixture", () => {
    const s = g.spec_vector;
    expect(verifyGitlabSignature(s.body, { webhookId: s["webhook-id"], webhookTimestamp: s["webhook-timestamp"], webhookSignature: s["webhook-signature"] }, g.signingToken, 1614265330_000)).toEqual({ ok: true });
    expect(verifyGitlabSignature(body, headers, g.signingToken, now)).toEqual({ ok: true });
    expect(signStandardWebhook(body, g["webhook-id"], Number(g["webhook-timestamp"]), g.signingToken)).toBe(g["webhook-signature"]);
  });

  it("accepts any matching entry among several (secret rotation)", () => {
    const multi = { ...headers, webhookSignature: `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ${g["webhook-signature"]}` };
    expect(verifyGitlabSignature(body, multi, g.signingToken, now).ok).toBe(true);
  });

  it("rejects tampering, stale timestamps, missing and malformed headers", () => {
    expect(verifyGitlabSignature(Buffer.concat([body, Buffer.from(" ")]), headers, g.signingToken, now)).toMatchObject({ reason: "mismatch" });
    expect(verifyGitlabSignature(body, { ...headers, webhookId: "other" }, g.signingToken, now)).toMatchObject({ reason: "mismatch" });
    expect(verifyGitlabSignature(body, headers, g.signingToken, now + 600_000)).toMatchObject({ reason: "stale_timestamp" });
    expect(verifyGitlabSignature(body, { ...headers, webhookSignature: undefined }, g.signingToken, now)).toMatchObject({ reason: "missing_header" });
    expect(verifyGitlabSignature(body, { ...headers, webhookSignature: "v2,abc" }, g.signingToken, now)).toMatchObject({ reason: "malformed_header" });
    expect(verifyGitlabSignature(body, { ...headers, webhookTimestamp: "yesterday" }, g.signingToken, now)).toMatchObject({ reason: "malformed_header" });
    expect(verifyGitlabSignature(body, headers, "", now)).toMatchObject({ reason: "missing_secret" });
  });
});

describe("parseGithubDeploymentStatus", () => {
  const payload = json("github-deployment_status.json");

  it("maps a successful production deployment_status with commits from the burnrate payload extension", () => {
    const r = parseGithubDeploymentStatus(raw("github-deployment_status.json").toString("utf8"));
    expect(r).toEqual({
      status: "ok",
      value: {
        service: "checkout-api",
        environment: "production",
        version: "v1.42.0",
        sha: "9f2c1a4e7d3b8c6a5f4e3d2c1b0a99887766554f",
        commits: [
          { sha: "9f2c1a4e7d3b8c6a5f4e3d2c1b0a99887766554f", committedAt: "2026-03-02T08:40:00Z" },
          { sha: "1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e", authoredAt: "2026-03-01T16:05:00Z", committedAt: "2026-03-01T16:20:00Z" },
        ],
        startedAt: "2026-03-02T10:09:12.000Z",
        finishedAt: "2026-03-02T10:14:37.000Z",
        result: "success",
        kind: "planned",
        externalId: "github:acme/checkout-api:deployment:1734459201",
      },
    });
  });

  it("maps failure and error to failure, ignores pending/in_progress, applies service and environment options", () => {
    const withState = (state: string) => ({ ...payload, deployment_status: { ...payload.deployment_status, state, environment: "Prod" } });
    const failed = parseGithubDeploymentStatus(withState("error"), { service: "checkout", environmentMap: { prod: "production" } });
    expect(failed).toMatchObject({ status: "ok", value: { result: "failure", service: "checkout", environment: "production" } });
    expect(parseGithubDeploymentStatus(withState("in_progress"))).toEqual({ status: "ignored", reason: "deployment_status.state is in_progress" });
    expect(parseGithubDeploymentStatus(withState("exploded"))).toMatchObject({ status: "error", field: "deployment_status.state" });
  });

  it("names the missing or invalid payload field", () => {
    const { sha: _sha, ...noSha } = payload.deployment;
    expect(parseGithubDeploymentStatus({ ...payload, deployment: noSha })).toMatchObject({ status: "error", field: "deployment.sha" });
    expect(parseGithubDeploymentStatus({ ...payload, deployment: { ...payload.deployment, sha: "not-a-sha" } })).toMatchObject({ status: "error", field: "deployment.sha" });
    expect(parseGithubDeploymentStatus({ ...payload, deployment_status: { ...payload.deployment_status, created_at: "soon" } })).toMatchObject({ status: "error", field: "deployment_status.created_at" });
    expect(parseGithubDeploymentStatus({ ...payload, deployment: { ...payload.deployment, payload: { burnrate: { kind: "hotfix" } } } })).toMatchObject({ status: "error", field: "deployment.payload.burnrate.kind" });
    expect(parseGithubDeploymentStatus({ ...payload, deployment: { ...payload.deployment, payload: { burnrate: { commits: [{ sha: "abc1234" }] } } } })).toMatchObject({ status: "error", field: "deployment.payload.burnrate.commits.0.committedAt" });
    expect(parseGithubDeploymentStatus("{not json")).toMatchObject({ status: "error", field: "(body)" });
    expect(parseGithubDeploymentStatus({})).toMatchObject({ status: "error", field: "deployment_status" });
  });
});

describe("parseGitlabDeployment", () => {
  const payload = json("gitlab-deployment.json");

  it("maps a Deployment Hook: full sha from commit_url, environment from the tier, +0100 timestamp to UTC", () => {
    expect(parseGitlabDeployment(payload)).toEqual({
      status: "ok",
      value: {
        service: "payments-service",
        environment: "production",
        sha: "279484c09fbe69ededfced8c1bb6e6d24616b468",
        commits: [],
        finishedAt: "2026-03-02T10:50:00.000Z",
        result: "success",
        kind: "planned",
        externalId: "gitlab:30:deployment:1548",
      },
    });
  });

  it("maps failed to failure, ignores running and canceled, can use the environment name", () => {
    expect(parseGitlabDeployment({ ...payload, status: "failed" })).toMatchObject({ status: "ok", value: { result: "failure" } });
    expect(parseGitlabDeployment({ ...payload, status: "running" })).toMatchObject({ status: "ignored" });
    expect(parseGitlabDeployment({ ...payload, status: "canceled" })).toMatchObject({ status: "ignored" });
    expect(parseGitlabDeployment({ ...payload, environment: "staging" }, { environmentFrom: "name" })).toMatchObject({ value: { environment: "staging" } });
    expect(parseGitlabDeployment({ ...payload, commit_url: null })).toMatchObject({ value: { sha: "279484c0" } });
  });

  it("names the offending field", () => {
    expect(parseGitlabDeployment({ ...payload, object_kind: "pipeline" })).toMatchObject({ status: "error", field: "object_kind" });
    expect(parseGitlabDeployment({ ...payload, status_changed_at: "last tuesday" })).toMatchObject({ status: "error", field: "status_changed_at" });
    expect(parseGitlabDeployment({ ...payload, environment: "production/eu-west-1" }, { environmentFrom: "name" })).toMatchObject({ status: "error", field: "environment" });
    expect(parseGitlabDeployment({ ...payload, commit_url: null, short_sha: "xyz" })).toMatchObject({ status: "error", field: "short_sha" });
    const { project: _p, ...noProject } = payload;
    expect(parseGitlabDeployment(noProject)).toMatchObject({ status: "error", field: "project" });
  });
});

describe("parseAlertmanagerWebhook", () => {
  it("opens one incident for the paging SLO alert and skips the ticket and non-SLO alerts", () => {
    const r = parseAlertmanagerWebhook(json("alertmanager-firing.json"));
    expect(r.status).toBe("ok");
    if (r.status !== "ok") return;
    expect(r.value.events).toEqual([
      {
        action: "open",
        fingerprint: "5ed6f8c1a8b2e7d3",
        slo: "checkout-availability",
        incident: {
          service: "checkout",
          team: "payments",
          title: "checkout-availability is burning its error budget 14.4x too fast",
          severity: "page",
          openedAt: "2026-03-02T10:31:07.123Z",
          fingerprint: "5ed6f8c1a8b2e7d3",
          source: "alertmanager",
        },
      },
    ]);
    expect(r.value.skipped).toEqual([
      { fingerprint: "0b1c2d3e4f506172", reason: "severity ticket does not page" },
      { fingerprint: "a1b2c3d4e5f60718", reason: "no slo label" },
    ]);
  });

  it("resolves by fingerprint at endsAt", () => {
    expect(parseAlertmanagerWebhook(json("alertmanager-resolved.json"))).toEqual({
      status: "ok",
      value: {
        events: [{ action: "resolve", fingerprint: "5ed6f8c1a8b2e7d3", slo: "checkout-availability", service: "checkout", resolvedAt: "2026-03-02T11:02:37.500Z" }],
        skipped: [],
        truncatedAlerts: 0,
      },
    });
  });

  it("deduplicates repeated fingerprints within a payload", () => {
    const p = json("alertmanager-firing.json");
    p.alerts.push({ ...p.alerts[0] });
    const r = parseAlertmanagerWebhook(p);
    expect(r.status === "ok" && r.value.events.length).toBe(1);
    expect(r.status === "ok" && r.value.skipped.at(-1)).toEqual({ fingerprint: "5ed6f8c1a8b2e7d3", reason: "duplicate fingerprint in payload" });
  });

  it("names the offending field for a wrong version, a bad timestamp or a bad service label", () => {
    const p = json("alertmanager-firing.json");
    expect(parseAlertmanagerWebhook({ ...p, version: "3" })).toMatchObject({ status: "error", field: "version" });
    const badTime = json("alertmanager-firing.json");
    badTime.alerts[0].startsAt = "whenever";
    expect(parseAlertmanagerWebhook(badTime)).toMatchObject({ status: "error", field: "alerts.0.startsAt" });
    const badService = json("alertmanager-firing.json");
    badService.alerts[0].labels.service = "Checkout API";
    expect(parseAlertmanagerWebhook(badService)).toMatchObject({ status: "error", field: "alerts.0.labels.service" });
    const noFp = json("alertmanager-firing.json");
    delete noFp.alerts[1].fingerprint;
    expect(parseAlertmanagerWebhook(noFp)).toMatchObject({ status: "error", field: "alerts.1.fingerprint" });
  });
});

describe("parseDeploymentBody (generic POST /api/v1/deployments)", () => {
  it("accepts the README example body and names bad fields", () => {
    const body = { service: "checkout", environment: "production", version: "1.42.0", sha: "9f2c1a4e7d3b8c6a5f4e3d2c1b0a99887766554f",
      commits: [{ sha: "9f2c1a4e7d3b8c6a5f4e3d2c1b0a99887766554f", committedAt: "2026-03-02T08:40:00Z" }],
      startedAt: "2026-03-02T10:09:12Z", finishedAt: "2026-03-02T10:14:37Z", result: "success", kind: "planned", externalId: "ci-run-9317200431" };
    expect(parseDeploymentBody(JSON.stringify(body))).toMatchObject({ status: "ok", value: { service: "checkout", result: "success" } });
    expect(parseDeploymentBody({ ...body, result: "ok" })).toMatchObject({ status: "error", field: "result" });
    expect(parseDeploymentBody({ ...body, service: undefined })).toMatchObject({ status: "error", field: "service" });
  });
});
