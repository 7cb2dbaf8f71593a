import { z } from "zod";
import { DescriptionSchema, DisplayNameSchema, DurationSchema, SlugSchema, refSlugSchema } from "./common";

/**
 * Error-budget policies (SRE workbook, appendix B): ordered steps, each a condition on burn rate
 * or remaining budget and an action. The first matching step (in order) sets the policy state.
 */
export const PolicyConditionSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("burn_rate"),
    window: DurationSchema,
    /** Burn rate threshold, e.g. 14.4. */
    above: z.number().positive("must be greater than 0"),
  }),
  z.object({
    type: z.literal("budget_remaining"),
    /** Fraction of budget remaining in percent, e.g. 0 means exhausted, 25 means a quarter left. */
    belowPercent: z.number().min(-1000).max(100, "must be at most 100"),
  }),
]);
export type PolicyCondition = z.infer<typeof PolicyConditionSchema>;

export const PolicyActionSchema = z.enum(["page", "ticket", "incident_response", "reliability_sprint", "feature_freeze", "notify"]);
export type PolicyAction = z.infer<typeof PolicyActionSchema>;

export const PolicyStepSchema = z.object({
  condition: PolicyConditionSchema,
  action: PolicyActionSchema,
  note: z.string().trim().max(500).default(""),
});

export const ErrorBudgetPolicySpecSchema = z.object({
  slug: SlugSchema,
  name: DisplayNameSchema,
  team: refSlugSchema("a team"),
  description: DescriptionSchema.default(""),
  steps: z.array(PolicyStepSchema).min(1, "add at least one step").max(20, "at most 20 steps"),
});
export type ErrorBudgetPolicySpec = z.infer<typeof ErrorBudgetPolicySpecSchema>;

/** Workbook-style default policy. */
export function defaultPolicySteps(): z.infer<typeof PolicyStepSchema>[] {
  return [
    { condition: { type: "budget_remaining", belowPercent: 0 }, action: "feature_freeze", note: "Halt releases except P0 and security fixes until back within SLO." },
    { condition: { type: "burn_rate", window: "1h", above: 14.4 }, action: "incident_response", note: "Fast burn: page on-call and open an incident." },
    { condition: { type: "burn_rate", window: "6h", above: 6 }, action: "page", note: "" },
    { condition: { type: "burn_rate", window: "3d", above: 1 }, action: "reliability_sprint", note: "Slow burn: schedule reliability work." },
    { condition: { type: "budget_remaining", belowPercent: 25 }, action: "notify", note: "Budget low: notify the team and product owner." },
  ];
}
