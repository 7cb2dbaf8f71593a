import "server-only";
import {
  ErrorBudgetPolicySpecSchema,
  ServiceSpecSchema,
  SliResourceSchema,
  SloResourceSchema,
  TeamSpecSchema,
  VersionSchema,
  type SliSpec,
} from "@burnrate/domain";

import { requireAdmin, requireTeamRole, type Principal } from "../auth";
import { db } from "../db";
import { ApiError, notFound, versionConflict } from "../http/errors";
import { audit, type Tx } from "./audit";
import { onCatalogChanged } from "./hooks";

/**
 * Catalogue services: create, update (optimistic locking on `version`), delete, with an audit
 * event per change in the same transaction. Inputs are validated by the domain zod schemas.
 */

type Actor = Principal;


// ---------- mappers (DB row -> API shape) ----------
export function teamOut(t: { id: string; slug: string; name: string; description: string; version: number; createdAt: Date; updatedAt: Date; _count?: { services: number } }) {
  return { id: t.id, slug: t.slug, name: t.name, description: t.description, version: t.version, createdAt: t.createdAt, updatedAt: t.updatedAt, serviceCount: t._count?.services };
}

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
export async function listTeams() {
  const rows = await db().team.findMany({ orderBy: { name: "asc" }, include: { _count: { select: { services: true } } } });
  return rows.map(teamOut);
}

export async function getTeam(slug: string) {
  const t = await db().team.findUnique({ where: { slug }, include: { _count: { select: { services: true } } } });
  if (!t) throw notFound(`team "${slug}"`);
  return teamOut(t);
}

export async function createTeam(input: unknown, actor: Actor) {
  requireAdmin(actor, "creating a team");
  const spec = TeamSpecSchema.parse(input);
  const out = await db().$transaction(async (tx) => {
    const row = await tx.team.create({ data: spec });
    await audit(tx, { actor: actor.name, action: "team.create", entityType: "team", entityId: row.id, entitySlug: row.slug, after: spec });
    return teamOut(row);
  });
  onCatalogChanged("team.create");
  return out;
}

export async function updateTeam(slug: string, input: unknown, actor: Actor) {
  const { version, ...spec } = TeamSpecSchema.extend(VersionSchema.shape).parse(input);
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.team.findUnique({ where: { slug } });
    if (!cur) throw notFound(`team "${slug}"`);
    requireTeamRole(actor, slug, "admin", "editing a team");
    if (spec.slug !== slug) requireAdmin(actor, "renaming a team's slug");
    checkVersion(`team "${slug}"`, cur.version, version);
    const row = await tx.team.update({ where: { id: cur.id, version }, data: { ...spec, version: { increment: 1 } } });
    await audit(tx, { actor: actor.name, action: "team.update", entityType: "team", entityId: row.id, entitySlug: row.slug, before: cur, after: spec });
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

export async function createService(input: unknown, actor: Actor) {
  const spec = ServiceSpecSchema.parse(input);
  requireTeamRole(actor, spec.team, "editor", "creating a service");
  const out = await db().$transaction(async (tx) => {
    const teamId = await teamIdBySlug(tx, spec.team);
    const { team: _t, ...data } = spec;
    const row = await tx.service.create({ data: { ...data, teamId }, include: serviceInclude });
    await audit(tx, { actor: actor.name, action: "service.create", entityType: "service", entityId: row.id, entitySlug: row.slug, after: spec });
    return serviceOut(row);
  });
  onCatalogChanged("service.create");
  return out;
}

export async function updateService(slug: string, input: unknown, actor: Actor) {
  const { version, ...spec } = ServiceSpecSchema.extend(VersionSchema.shape).parse(input);
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

export async function createSli(input: unknown, actor: Actor) {
  const spec = SliResourceSchema.parse(input);
  const out = await db().$transaction(async (tx) => {
    await requireServiceEditor(tx, actor, spec.service, "creating an SLI");
    const serviceId = await serviceIdBySlug(tx, spec.service);
    const dup = await tx.sli.findUnique({ where: { serviceId_slug: { serviceId, slug: spec.slug } } });
    if (dup) throw new ApiError("conflict", `slug: service "${spec.service}" already has an SLI "${spec.slug}"`, { slug: "is already taken in this service" });
    const row = await tx.sli.create({ data: { slug: spec.slug, name: spec.name, description: spec.description, serviceId, kind: spec.spec.kind, spec: spec.spec }, include: sliInclude });
    await audit(tx, { actor: actor.name, action: "sli.create", entityType: "sli", entityId: row.id, entitySlug: row.slug, after: spec });
    return sliOut(row);
  });
  onCatalogChanged("sli.create");
  return out;
}

export async function updateSli(id: string, input: unknown, actor: Actor) {
  const { version, ...spec } = SliResourceSchema.extend(VersionSchema.shape).parse(input);
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

export async function createSlo(input: unknown, actor: Actor) {
  const spec = SloResourceSchema.parse(input);
  const out = await db().$transaction(async (tx) => {
    await requireServiceEditor(tx, actor, spec.service, "creating an SLO");
    const { sliId, policyId } = await resolveSloRefs(tx, spec);
    const row = await tx.slo.create({
      data: { slug: spec.slug, name: spec.name, description: spec.description, sliId, policyId, objective: spec.objective, window: spec.window, budgetingMethod: spec.budgetingMethod, alerting: spec.alerting, labels: spec.labels },
      include: sloInclude,
    });
    await audit(tx, { actor: actor.name, action: "slo.create", entityType: "slo", entityId: row.id, entitySlug: row.slug, after: spec });
    return sloOut(row);
  });
  onCatalogChanged("slo.create");
  return out;
}

export async function updateSlo(slug: string, input: unknown, actor: Actor) {
  const { version, ...spec } = SloResourceSchema.extend(VersionSchema.shape).parse(input);
  const out = await db().$transaction(async (tx) => {
    const cur = await tx.slo.findUnique({ where: { slug }, include: sloInclude });
    if (!cur) throw notFound(`SLO "${slug}"`);
    requireTeamRole(actor, cur.sli.service.team.slug, "editor", "editing an SLO");
    if (spec.service !== cur.sli.service.slug) await requireServiceEditor(tx, actor, spec.service, "moving an SLO to another service");
    checkVersion(`SLO "${slug}"`, cur.version, version);
    const { sliId, policyId } = await resolveSloRefs(tx, spec);
    const row = await tx.slo.update({
      where: { id: cur.id, version },
      data: { slug: spec.slug, name: spec.name, description: spec.description, sliId, policyId, objective: spec.objective, window: spec.window, budgetingMethod: spec.budgetingMethod, alerting: spec.alerting, labels: spec.labels, version: { increment: 1 } },
      include: sloInclude,
    });
    await audit(tx, { actor: actor.name, action: "slo.update", entityType: "slo", entityId: row.id, entitySlug: row.slug, before: sloOut(cur), after: spec });
    return sloOut(row);
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
  const spec = ErrorBudgetPolicySpecSchema.parse(input);
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
  const { version, ...spec } = ErrorBudgetPolicySpecSchema.extend(VersionSchema.shape).parse(input);
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
