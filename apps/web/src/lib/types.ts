import type { SliSpec } from "@burnrate/domain";

export type Team = { id: string; slug: string; name: string; description: string; defaultPolicy?: string | null; defaultPolicyName?: string | null; version: number; serviceCount?: number };
export type Service = { id: string; slug: string; name: string; description: string; team: string; teamName: string; tier: string; owner: string; runbookUrl: string; repoUrl: string; labels: Record<string, string>; version: number; sliCount?: number };
export type Sli = { id: string; slug: string; name: string; description: string; service: string; serviceName: string; kind: string; spec: SliSpec; version: number; sloCount?: number };
export type Slo = {
  id: string; slug: string; name: string; description: string; objective: number; window: string; budgetingMethod: string;
  alerting: { enabled?: boolean; page?: boolean; ticket?: boolean; minEvents?: number; runbookUrl?: string };
  labels: Record<string, string>; sli: string; sliName: string; sliKind: string; sliSpec: SliSpec;
  service: string; serviceName: string; tier: string; team: string; teamName: string; policy: string | null; policyName: string | null; version: number; updatedAt: string;
};
export type PolicyStep = { condition: { type: "burn_rate"; window: string; above: number } | { type: "budget_remaining"; belowPercent: number }; action: string; note: string };
export type Policy = { id: string; slug: string; name: string; description: string; team: string; teamName: string; steps: PolicyStep[]; version: number; sloCount?: number };
export type List<T> = { items: T[] };
