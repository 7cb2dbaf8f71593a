import "server-only";
import {
  admitPolicy,
  admitService,
  admitSli,
  ErrorBudgetPolicySpecSchema,
  ServiceSpecSchema,
  SliResourceSchema,
  SloResourceSchema,
  TeamResourceSchema,
  TeamSpecSchema,
  VersionSchema,
  type SliSpec,
  type SloBundle,
  type SloResource,
} from "@burnrate/domain";

import { requireAdmin, requireTeamRole, type Principal } from "../auth";
import { db } from "../db";
import { ApiError, notFound, versionConflict } from "../http/errors";
import { admissionContext, admitSloForSave, admitted } from "./admission";
import { audit, type Tx } from "./audit";
import { onCatalogChanged } from "./hooks";

/**
 * Catalogue services: create, update (optimistic locking on `version`), delete, with an audit
 * event per change in the same transaction. Every write of a service, SLI, SLO or policy passes the
 * admission gate of packages/domain (422 with `fields` otherwise); imports use the same `insert*`
 * writers inside their transaction. Only this file writes those rows (test/catalog-writes.test.ts).
 */

type Actor = Principal;


// ---------- mappers (DB row -> API shape) ----------
export function teamOut(t: { id: string; slug: string; name: string; description: string; version: number; createdAt: Date; updatedAt: Date; _count?: { services: number }; defaultPolicy?: { slug: string; name: string } | null }) {
  return { id: t.id, slug: t.slug, name: t.name, description: t.description, defaultPolicy: t.defaultPolicy?.slug ?? null, defaultPolicyName: t.defaultPolicy?.name ?? null, version: t.version, createdAt: t.createdAt, updatedAt: t.updatedAt, serviceCount: t._count?.services };
}
const teamInclude = { _count: { select: { services: true } }, defaultPolicy: true } as const;

type ServiceRow = {
  id: string; slug: string; name: string; description: string; tier: string; owner: string; runbookUrl: string; repoUrl: string; labels: unknown; version: number; createdAt: Date; updatedAt: Date;
  team: { slug: string; name: string };
  _count?: { slis: number };
};
export function serviceOut(s: ServiceRow) {
  return { id: s.id, slug: s.slug, name: s.name, description: s.description, team: s.team.slug, teamName: s.team.name, tier: s.tier, owner: s.owner, runbookUrl: s.runbookUrl, repoUrl: s.repoUrl, labels: s.labels as Record<string, string>, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt, sliCount: s._count?.slis };
}

type SliRow = { id: string; slug: string; name: string; description: string; kind: string; spec: unknown; version: number; createdAt: Date; updatedAt: Date; service: { slug: string; name: string }; _count?: { slos: number } };
export function sliOut(s: SliRow) {
  return { id: s.id, slug: s.slug, name: s.name, description: s.description, service: s.service.slug, serviceName: s.service.name, kind: s.kind, spec: s.spec as SliSpec, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt, sloCount: s._count?.slos };
}

type SloRow = {
  id: string; slug: string; name: string; description: string; objective: { toString(): string } | number; window: string; budgetingMethod: string; alerting: unknown; labels: unknown; version: number; createdAt: Date; updatedAt: Date;
  sli: { slug: string; name: string; kind: string; spec: unknown; service: { slug: string; name: string; tier: string; team: { slug: string; name: string } } };
  policy: { slug: string; name: string } | null;
};
export function sloOut(s: SloRow) {
  return {
    id: s.id, slug: s.slug, name: s.name, description: s.description,
    objective: Number(s.objective.toString()), window: s.window, budgetingMethod: s.budgetingMethod,
    alerting: s.alerting as Record<string, unknown>, labels: s.labels as Record<string, string>,
    sli: s.sli.slug, sliName: s.sli.name, sliKind: s.sli.kind, sliSpec: s.sli.spec as SliSpec,
    service: s.sli.service.slug, serviceName: s.sli.service.name, tier: s.sli.service.tier,
    team: s.sli.service.team.slug, teamName: s.sli.service.team.name,
    policy: s.policy?.slug ?? null, policyName: s.policy?.name ?? null,
    version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt,
  };
}

type PolicyRow = { id: string; slug: string; name: string; description: string; steps: unknown; version: number; createdAt: Date; updatedAt: Date; team: { slug: string; name: string }; _count?: { slos: number } };
export function policyOut(p: PolicyRow) {
  return { id: p.id, slug: p.slug, name: p.name, description: p.description, team: p.team.slug, teamName: p.team.name, steps: p.steps as unknown[], version: p.version, createdAt: p.createdAt, updatedAt: p.updatedAt, sloCount: p._count?.slos };
}

export const sloInclude = { sli: { include: { service: { include: { team: true } } } }, policy: true } as const;

// ---------- helpers ----------
async function teamIdBySlug(tx: Tx, slug: string, field = "team"): Promise<string> {
  const t = await tx.team.findUnique({ where: { slug } });
  if (!t) throw new ApiError("validation_failed", `${field}: team "${slug}" does not exist`, { [field]: `team "${slug}" does not exist` });
  return t.id;
}

async function serviceIdBySlug(tx: Tx, slug: string, field = "service"): Promise<string> {
  const s = await tx.service.findUnique({ where: { slug } });
  if (!s) throw new ApiError("validation_failed", `${field}: service "${slug}" does not exist`, { [field]: `service "${slug}" does not exist` });
  return s.id;
}

/** The caller must be an editor of the team that owns the service (unknown services are a 422 later). */
async function requireServiceEditor(tx: Tx, actor: Actor, serviceSlug: string, what: string): Promise<void> {
  const svc = await tx.service.findUnique({ where: { slug: serviceSlug }, include: { team: true } });
  if (svc) requireTeamRole(actor, svc.team.slug, "editor", what);
  else if (!actor.isAdmin && !Object.values(actor.roles).some((r) => r !== "viewer")) requireTeamRole(actor, "(any)", "editor", what);
}

/** Bumps the version only if it still matches what the client read; otherwise 409. */
function checkVersion(what: string, current: number, sent: number): void {
  if (current !== sent) throw versionConflict(what, current);
}

// ---------- teams ----------
/** A team's default policy must be one of its own policies. undefined = leave as is, null = none. */
async function defaultPolicyId(tx: Tx, team: string, policy: string | null | undefined): Promise<string | null | undefined> {
  if (policy === undefined || policy === null) return policy;
  const p = await tx.errorBudgetPolicy.findUnique({ where: { slug: policy }, include: { team: true } });
  if (!p) throw new ApiError("validation_failed", `defaultPolicy: policy "${policy}" does not exist`, { defaultPolicy: `policy "${policy}" does not exist` });
  if (p.team.slug !== team) throw new ApiError("validation_failed", `defaultPolicy: policy "${policy}" belongs to team "${p.team.slug}", not "${team}"`, { defaultPolicy: `policy "${policy}" belongs to team "${p.team.slug}"` });
  return p.id;
}

export async function listTeams() {
  const rows = await db().team.findMany({ orderBy: { name: "asc" }, include: teamInclude });
  return rows.map(teamOut);
}

export async function getTeam(slug: string) {
  const t = await db().team.findUnique({ where: { slug }, include: teamInclude });
  if (!t) throw notFound(`team "${slug}"`);
  return teamOut(t);
}

export async function createTeam(input: unknown, actor: Actor) {
  requireAdmin(actor, "creating a team");
  const { defaultPolicy, ...spec } = TeamResourceSchema.parse(input);
  // A new team owns no policy yet, so it cannot name a default.
  if (defaultPolicy) throw new ApiError("validation_failed", "defaultPolicy: a new team has no policies yet; set it after creating one", { defaultPolicy: "the team has no policies yet" });
  const out = await db().$transaction(async (tx) => {
    const row = await tx.team.create({ data: spec, include: teamInclude });
    await audit(tx, { actor: actor.name, action: "team.create", entityType: "team", entityId: row.id, entitySlug: row.slug, after: spec });
    return teamOut(row);
  });
  onCatalogChanged("team.create");
  return out;
}

export async function updateTeam(slug: string, input: unknown, actor: Actor) {
  const { version, defaultPolicy, ...spec } = TeamResourceSchema.extend(VersionSchema.shape).parse(input);
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.team.findUnique({ where: { slug } });
    if (!cur) throw notFound(`team "${slug}"`);
    requireTeamRole(actor, slug, "admin", "editing a team");
    if (spec.slug !== slug) requireAdmin(actor, "renaming a team's slug");
    checkVersion(`team "${slug}"`, cur.version, version);
    const policyId = await defaultPolicyId(tx, slug, defaultPolicy);
    const row = await tx.team.update({ where: { id: cur.id, version }, data: { ...spec, ...(policyId !== undefined ? { defaultPolicyId: policyId } : {}), version: { increment: 1 } }, include: teamInclude });
    await audit(tx, { actor: actor.name, action: "team.update", entityType: "team", entityId: row.id, entitySlug: row.slug, before: cur, after: { ...spec, ...(defaultPolicy !== undefined ? { defaultPolicy } : {}) } });
    return teamOut(row);
  });
  onCatalogChanged("team.update");
  return out;
}

export async function deleteTeam(slug: string, actor: Actor) {
  requireAdmin(actor, "deleting a team");
  await db().$transaction(async (tx) => {
    const cur = await tx.team.findUnique({ where: { slug }, include: { _count: { select: { services: true } } } });
    if (!cur) throw notFound(`team "${slug}"`);
    if (cur._count.services > 0) throw new ApiError("conflict", `team "${slug}" still owns ${cur._count.services} service(s); move or delete them first`);
    await tx.errorBudgetPolicy.deleteMany({ where: { teamId: cur.id, slos: { none: {} } } });
    await tx.team.delete({ where: { id: cur.id } });
    await audit(tx, { actor: actor.name, action: "team.delete", entityType: "team", entityId: cur.id, entitySlug: slug, before: cur });
  });
  onCatalogChanged("team.delete");
}

// ---------- services ----------
const serviceInclude = { team: true, _count: { select: { slis: true } } } as const;

export async function listServices(filter: { team?: string } = {}) {
  const rows = await db().service.findMany({ where: filter.team ? { team: { slug: filter.team } } : {}, orderBy: { name: "asc" }, include: serviceInclude });
  return rows.map(serviceOut);
}

export async function getService(slug: string) {
  const s = await db().service.findUnique({ where: { slug }, include: serviceInclude });
  if (!s) throw notFound(`service "${slug}"`);
  return serviceOut(s);
}

/** Creates a service in a transaction: gate, authorize, write, audit. */
export async function insertService(tx: Tx, input: unknown, actor: Actor, action = "service.create") {
  const { value: spec } = admitted(admitService(input));
  requireTeamRole(actor, spec.team, "editor", "creating a service");
  const teamId = await teamIdBySlug(tx, spec.team);
  const { team: _t, ...data } = spec;
  const row = await tx.service.create({ data: { ...data, teamId }, include: serviceInclude });
  await audit(tx, { actor: actor.name, action, entityType: "service", entityId: row.id, entitySlug: row.slug, after: spec });
  return serviceOut(row);
}

export async function createService(input: unknown, actor: Actor) {
  const out = await db().$transaction((tx) => insertService(tx, input, actor));
  onCatalogChanged("service.create");
  return out;
}

export async function updateService(slug: string, input: unknown, actor: Actor) {
  const { version, ...raw } = ServiceSpecSchema.extend(VersionSchema.shape).parse(input);
  const { value: spec } = admitted(admitService(raw));
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.service.findUnique({ where: { slug }, include: { team: true } });
    if (!cur) throw notFound(`service "${slug}"`);
    requireTeamRole(actor, cur.team.slug, "editor", "editing a service");
    if (spec.team !== cur.team.slug) requireTeamRole(actor, spec.team, "editor", "moving a service to another team");
    checkVersion(`service "${slug}"`, cur.version, version);
    const teamId = await teamIdBySlug(tx, spec.team);
    const { team: _t, ...data } = spec;
    const row = await tx.service.update({ where: { id: cur.id, version }, data: { ...data, teamId, version: { increment: 1 } }, include: serviceInclude });
    await audit(tx, { actor: actor.name, action: "service.update", entityType: "service", entityId: row.id, entitySlug: row.slug, before: serviceOut({ ...cur }), after: spec });
    return serviceOut(row);
  });
  onCatalogChanged("service.update");
  return out;
}

export async function deleteService(slug: string, actor: Actor) {
  await db().$transaction(async (tx) => {
    const cur = await tx.service.findUnique({ where: { slug }, include: { team: true, slis: { include: { _count: { select: { slos: true } } } } } });
    if (!cur) throw notFound(`service "${slug}"`);
    requireTeamRole(actor, cur.team.slug, "editor", "deleting a service");
    const slos = cur.slis.reduce((n, s) => n + s._count.slos, 0);
    if (slos > 0) throw new ApiError("conflict", `service "${slug}" still has ${slos} SLO(s); delete them first`);
    await tx.sli.deleteMany({ where: { serviceId: cur.id } });
    await tx.service.delete({ where: { id: cur.id } });
    await audit(tx, { actor: actor.name, action: "service.delete", entityType: "service", entityId: cur.id, entitySlug: slug, before: { slug: cur.slug, name: cur.name } });
  });
  onCatalogChanged("service.delete");
}

// ---------- SLIs ----------
const sliInclude = { service: true, _count: { select: { slos: true } } } as const;

export async function listSlis(filter: { service?: string } = {}) {
  const rows = await db().sli.findMany({ where: filter.service ? { service: { slug: filter.service } } : {}, orderBy: [{ service: { name: "asc" } }, { name: "asc" }], include: sliInclude });
  return rows.map(sliOut);
}

export async function getSli(id: string) {
  const s = await db().sli.findUnique({ where: { id }, include: sliInclude });
  if (!s) throw notFound(`SLI "${id}"`);
  return sliOut(s);
}

/** Parses an SLI resource and runs its spec through the gate (fields as `spec.…`). */
function admitSliResource<T extends { spec: SliSpec }>(resource: T): T {
  const { value } = admitted(admitSli(resource.spec, admissionContext()), "spec");
  return { ...resource, spec: value };
}

/** Creates an SLI in a transaction: gate, authorize, write, audit. */
export async function insertSli(tx: Tx, input: unknown, actor: Actor, action = "sli.create") {
  const spec = admitSliResource(SliResourceSchema.parse(input));
  await requireServiceEditor(tx, actor, spec.service, "creating an SLI");
  const serviceId = await serviceIdBySlug(tx, spec.service);
  const dup = await tx.sli.findUnique({ where: { serviceId_slug: { serviceId, slug: spec.slug } } });
  if (dup) throw new ApiError("conflict", `slug: service "${spec.service}" already has an SLI "${spec.slug}"`, { slug: "is already taken in this service" });
  const row = await tx.sli.create({ data: { slug: spec.slug, name: spec.name, description: spec.description, serviceId, kind: spec.spec.kind, spec: spec.spec }, include: sliInclude });
  await audit(tx, { actor: actor.name, action, entityType: "sli", entityId: row.id, entitySlug: row.slug, after: spec });
  return sliOut(row);
}

export async function createSli(input: unknown, actor: Actor) {
  const out = await db().$transaction((tx) => insertSli(tx, input, actor));
  onCatalogChanged("sli.create");
  return out;
}

export async function updateSli(id: string, input: unknown, actor: Actor) {
  const { version, ...raw } = SliResourceSchema.extend(VersionSchema.shape).parse(input);
  const spec = admitSliResource(raw);
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.sli.findUnique({ where: { id }, include: { service: true } });
    if (!cur) throw notFound(`SLI "${id}"`);
    await requireServiceEditor(tx, actor, cur.service.slug, "editing an SLI");
    checkVersion(`SLI "${cur.slug}"`, cur.version, version);
    if (spec.service !== cur.service.slug) throw new ApiError("validation_failed", "service: an SLI cannot move to another service", { service: "cannot be changed" });
    const row = await tx.sli.update({ where: { id, version }, data: { slug: spec.slug, name: spec.name, description: spec.description, kind: spec.spec.kind, spec: spec.spec, version: { increment: 1 } }, include: sliInclude });
    await audit(tx, { actor: actor.name, action: "sli.update", entityType: "sli", entityId: id, entitySlug: row.slug, before: { slug: cur.slug, name: cur.name, spec: cur.spec }, after: spec });
    return sliOut(row);
  });
  onCatalogChanged("sli.update");
  return out;
}

export async function deleteSli(id: string, actor: Actor) {
  await db().$transaction(async (tx) => {
    const cur = await tx.sli.findUnique({ where: { id }, include: { service: true, _count: { select: { slos: true } } } });
    if (!cur) throw notFound(`SLI "${id}"`);
    await requireServiceEditor(tx, actor, cur.service.slug, "deleting an SLI");
    if (cur._count.slos > 0) throw new ApiError("conflict", `SLI "${cur.slug}" is used by ${cur._count.slos} SLO(s); delete them first`);
    await tx.sli.delete({ where: { id } });
    await audit(tx, { actor: actor.name, action: "sli.delete", entityType: "sli", entityId: id, entitySlug: cur.slug, before: { slug: cur.slug, name: cur.name, spec: cur.spec } });
  });
  onCatalogChanged("sli.delete");
}

// ---------- SLOs ----------
export async function listSlos(filter: { team?: string; service?: string } = {}) {
  const rows = await db().slo.findMany({
    where: { sli: { service: { ...(filter.service ? { slug: filter.service } : {}), ...(filter.team ? { team: { slug: filter.team } } : {}) } } },
    orderBy: { name: "asc" },
    include: sloInclude,
  });
  return rows.map(sloOut);
}

export async function getSlo(slug: string) {
  const s = await db().slo.findUnique({ where: { slug }, include: sloInclude });
  if (!s) throw notFound(`SLO "${slug}"`);
  return sloOut(s);
}

async function resolveSloRefs(tx: Tx, spec: { service: string; sli: string; policy: string | null }) {
  const serviceId = await serviceIdBySlug(tx, spec.service);
  const sli = await tx.sli.findUnique({ where: { serviceId_slug: { serviceId, slug: spec.sli } } });
  if (!sli) throw new ApiError("validation_failed", `sli: service "${spec.service}" has no SLI "${spec.sli}"`, { sli: `service "${spec.service}" has no SLI "${spec.sli}"` });
  let policyId: string | null = null;
  if (spec.policy) {
    const p = await tx.errorBudgetPolicy.findUnique({ where: { slug: spec.policy } });
    if (!p) throw new ApiError("validation_failed", `policy: policy "${spec.policy}" does not exist`, { policy: `policy "${spec.policy}" does not exist` });
    // A team's policy decides its freezes: another team's SLO may not use (and so depend on) it.
    const svc = await tx.service.findUnique({ where: { id: serviceId }, select: { teamId: true } });
    if (svc && p.teamId !== svc.teamId) throw new ApiError("validation_failed", `policy: policy "${spec.policy}" belongs to another team; use a policy of the service's team`, { policy: "belongs to another team" });
    policyId = p.id;
  }
  return { sliId: sli.id, policyId };
}

/**
 * The SLO as the generator will see it (resource + its SLI spec + service and team), through the
 * admission gate and promtool: returns the admitted resource and the gate's warnings, or throws 422.
 */
async function admitSloResource(tx: Pick<Tx, "sli">, spec: SloResource, sliId: string, opts: { tools?: boolean } = {}) {
  const sli = await tx.sli.findUniqueOrThrow({ where: { id: sliId }, include: { service: { include: { team: true } } } });
  const svc = sli.service;
  const service = ServiceSpecSchema.parse({ slug: svc.slug, name: svc.name, team: svc.team.slug, tier: svc.tier, description: svc.description, owner: svc.owner, runbookUrl: svc.runbookUrl, repoUrl: svc.repoUrl, labels: svc.labels });
  const team = TeamSpecSchema.parse({ slug: svc.team.slug, name: svc.team.name, description: svc.team.description });
  const { sli: _sliSlug, policy: _policy, ...rest } = spec;
  const { value, warnings } = await admitSloForSave({ ...rest, sli: sli.spec }, (slo): SloBundle => ({ slo, service, team }), opts);
  return { spec: { ...spec, objective: value.objective, alerting: value.alerting, labels: value.labels }, warnings };
}

/** Creates an SLO in a transaction: authorize, gate, write, audit. */
export async function insertSlo(tx: Tx, input: unknown, actor: Actor, action = "slo.create", opts: { tools?: boolean } = {}) {
  const parsed = SloResourceSchema.parse(input);
  await requireServiceEditor(tx, actor, parsed.service, "creating an SLO");
  // No "policy" key at all (not even null): the SLO gets its team's default policy, if it has one.
  const policyNamed = typeof input === "object" && input !== null && "policy" in input;
  if (!policyNamed) {
    const svc = await tx.service.findUnique({ where: { slug: parsed.service }, include: { team: { include: { defaultPolicy: true } } } });
    parsed.policy = svc?.team.defaultPolicy?.slug ?? null;
  }
  const { sliId, policyId } = await resolveSloRefs(tx, parsed);
  const { spec, warnings } = await admitSloResource(tx, parsed, sliId, opts);
  const row = await tx.slo.create({
    data: { slug: spec.slug, name: spec.name, description: spec.description, sliId, policyId, objective: spec.objective, window: spec.window, budgetingMethod: spec.budgetingMethod, alerting: spec.alerting, labels: spec.labels },
    include: sloInclude,
  });
  await audit(tx, { actor: actor.name, action, entityType: "slo", entityId: row.id, entitySlug: row.slug, after: spec });
  return { ...sloOut(row), warnings };
}

/**
 * promtool on the SLO's generated rules, before the write transaction (a slow tool must not hold
 * it open); the transaction then runs the in-process gate again on what it writes.
 */
async function preflightSlo(input: unknown): Promise<void> {
  const parsed = SloResourceSchema.safeParse(input);
  if (!parsed.success) return; // the transaction reports it with the usual 422
  const svc = await db().service.findUnique({ where: { slug: parsed.data.service } });
  const sli = svc ? await db().sli.findUnique({ where: { serviceId_slug: { serviceId: svc.id, slug: parsed.data.sli } } }) : null;
  if (!sli) return;
  await admitSloResource(db(), parsed.data, sli.id, { tools: true });
}

export async function createSlo(input: unknown, actor: Actor) {
  await preflightSlo(input);
  const out = await db().$transaction((tx) => insertSlo(tx, input, actor, "slo.create", { tools: false }));
  onCatalogChanged("slo.create");
  return out;
}

export async function updateSlo(slug: string, input: unknown, actor: Actor) {
  const { version, ...parsed } = SloResourceSchema.extend(VersionSchema.shape).parse(input);
  await preflightSlo(parsed);
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.slo.findUnique({ where: { slug }, include: sloInclude });
    if (!cur) throw notFound(`SLO "${slug}"`);
    requireTeamRole(actor, cur.sli.service.team.slug, "editor", "editing an SLO");
    if (parsed.service !== cur.sli.service.slug) await requireServiceEditor(tx, actor, parsed.service, "moving an SLO to another service");
    checkVersion(`SLO "${slug}"`, cur.version, version);
    const { sliId, policyId } = await resolveSloRefs(tx, parsed);
    const { spec, warnings } = await admitSloResource(tx, parsed, sliId, { tools: false });
    const row = await tx.slo.update({
      where: { id: cur.id, version },
      data: { slug: spec.slug, name: spec.name, description: spec.description, sliId, policyId, objective: spec.objective, window: spec.window, budgetingMethod: spec.budgetingMethod, alerting: spec.alerting, labels: spec.labels, version: { increment: 1 } },
      include: sloInclude,
    });
    await audit(tx, { actor: actor.name, action: "slo.update", entityType: "slo", entityId: row.id, entitySlug: row.slug, before: sloOut(cur), after: spec });
    return { ...sloOut(row), warnings };
  });
  onCatalogChanged("slo.update");
  return out;
}

export async function deleteSlo(slug: string, actor: Actor) {
  await db().$transaction(async (tx) => {
    const cur = await tx.slo.findUnique({ where: { slug }, include: sloInclude });
    if (!cur) throw notFound(`SLO "${slug}"`);
    requireTeamRole(actor, cur.sli.service.team.slug, "editor", "deleting an SLO");
    await tx.slo.delete({ where: { id: cur.id } });
    await audit(tx, { actor: actor.name, action: "slo.delete", entityType: "slo", entityId: cur.id, entitySlug: slug, before: sloOut(cur) });
  });
  onCatalogChanged("slo.delete");
}

// ---------- error-budget policies ----------
const policyInclude = { team: true, _count: { select: { slos: true } } } as const;

export async function listPolicies(filter: { team?: string } = {}) {
  const rows = await db().errorBudgetPolicy.findMany({ where: filter.team ? { team: { slug: filter.team } } : {}, orderBy: { name: "asc" }, include: policyInclude });
  return rows.map(policyOut);
}

export async function getPolicy(slug: string) {
  const p = await db().errorBudgetPolicy.findUnique({ where: { slug }, include: policyInclude });
  if (!p) throw notFound(`policy "${slug}"`);
  return policyOut(p);
}

export async function createPolicy(input: unknown, actor: Actor) {
  const { value: spec } = admitted(admitPolicy(input));
  requireTeamRole(actor, spec.team, "editor", "creating a policy");
  const out = await db().$transaction(async (tx) => {
    const teamId = await teamIdBySlug(tx, spec.team);
    const row = await tx.errorBudgetPolicy.create({ data: { slug: spec.slug, name: spec.name, description: spec.description, teamId, steps: spec.steps }, include: policyInclude });
    await audit(tx, { actor: actor.name, action: "policy.create", entityType: "policy", entityId: row.id, entitySlug: row.slug, after: spec });
    return policyOut(row);
  });
  onCatalogChanged("policy.create");
  return out;
}

export async function updatePolicy(slug: string, input: unknown, actor: Actor) {
  const { version, ...raw } = ErrorBudgetPolicySpecSchema.extend(VersionSchema.shape).parse(input);
  const { value: spec } = admitted(admitPolicy(raw));
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.errorBudgetPolicy.findUnique({ where: { slug }, include: policyInclude });
    if (!cur) throw notFound(`policy "${slug}"`);
    requireTeamRole(actor, cur.team.slug, "editor", "editing a policy");
    if (spec.team !== cur.team.slug) requireTeamRole(actor, spec.team, "editor", "moving a policy to another team");
    checkVersion(`policy "${slug}"`, cur.version, version);
    const teamId = await teamIdBySlug(tx, spec.team);
    const row = await tx.errorBudgetPolicy.update({ where: { id: cur.id, version }, data: { slug: spec.slug, name: spec.name, description: spec.description, teamId, steps: spec.steps, version: { increment: 1 } }, include: policyInclude });
    await audit(tx, { actor: actor.name, action: "policy.update", entityType: "policy", entityId: row.id, entitySlug: row.slug, before: policyOut(cur), after: spec });
    return policyOut(row);
  });
  onCatalogChanged("policy.update");
  return out;
}

export async function deletePolicy(slug: string, actor: Actor) {
  await db().$transaction(async (tx) => {
    const cur = await tx.errorBudgetPolicy.findUnique({ where: { slug }, include: { team: true } });
    if (!cur) throw notFound(`policy "${slug}"`);
    requireTeamRole(actor, cur.team.slug, "editor", "deleting a policy");
    await tx.errorBudgetPolicy.delete({ where: { id: cur.id } });
    await audit(tx, { actor: actor.name, action: "policy.delete", entityType: "policy", entityId: cur.id, entitySlug: slug, before: cur });
  });
  onCatalogChanged("policy.delete");
}
