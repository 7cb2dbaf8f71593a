import { z } from "zod";
import { DescriptionSchema, DisplayNameSchema, DurationSchema, LabelsSchema, SlugSchema, TierSchema, refSlugSchema } from "./common";
import { SliSpecSchema } from "./sli";

export const SloWindowSchema = z.enum(["7d", "28d", "30d", "calendar-month"]);
export type SloWindow = z.infer<typeof SloWindowSchema>;

export const BudgetingMethodSchema = z.enum(["occurrences", "timeslices"]);

/** One multiwindow burn-rate alert: fires when both windows burn faster than `burnRate`. */
export const BurnAlertWindowSchema = z.object({
  severity: z.enum(["page", "ticket"]),
  /** Long window as a Prometheus duration (scaled from the 30d workbook table by default). */
  longWindow: DurationSchema,
  shortWindow: DurationSchema,
  burnRate: z.number().positive("must be greater than 0").max(10000),
  /** `for:` duration of the alert rule. */
  for: DurationSchema.default("2m"),
});
export type BurnAlertWindow = z.infer<typeof BurnAlertWindowSchema>;

export const AlertingOptionsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Page severity alerts are generated (14.4x and 6x by default). */
  page: z.boolean().default(true),
  /** Ticket severity alerts are generated (3x and 1x by default). */
  ticket: z.boolean().default(true),
  /** Overrides the default workbook windows when set. */
  windows: z.array(BurnAlertWindowSchema).max(8).optional(),
  /**
   * Low-traffic protection: an alert only fires when the long window saw at least this many
   * events (0 disables the guard).
   */
  minEvents: z.number().int().min(0).max(1_000_000_000).default(0),
  runbookUrl: z.union([z.string().url("must be a valid URL"), z.literal("")]).optional(),
});
export type AlertingOptions = z.infer<typeof AlertingOptionsSchema>;

/**
 * Objective in percent. 100 is not allowed because it leaves no error budget; values below 50
 * are almost always a mistake (90% means a full outage burns only 1.4% of budget per hour).
 */
export const ObjectiveSchema = z
  .number({ message: "must be a number" })
  .gt(50, "must be greater than 50")
  .lt(100, "must be less than 100 (100% leaves no error budget)")
  .refine((v) => Number.isFinite(v) && Math.round(v * 1e6) === v * 1e6, "at most 6 decimal places");

export const SloSpecSchema = z.object({
  slug: SlugSchema,
  name: DisplayNameSchema,
  description: DescriptionSchema.default(""),
  /** Service slug this SLO belongs to. */
  service: SlugSchema,
  sli: SliSpecSchema,
  objective: ObjectiveSchema,
  window: SloWindowSchema.default("30d"),
  budgetingMethod: BudgetingMethodSchema.default("occurrences"),
  alerting: AlertingOptionsSchema.default({ enabled: true, page: true, ticket: true, minEvents: 0 }),
  labels: LabelsSchema,
});
export type SloSpec = z.infer<typeof SloSpecSchema>;
export type SloSpecInput = z.input<typeof SloSpecSchema>;

/** Period length in seconds; a calendar month is budgeted as 30 days for burn-rate scaling. */
export function windowSeconds(window: SloWindow): number {
  switch (window) {
    case "7d":
      return 7 * 86400;
    case "28d":
      return 28 * 86400;
    case "30d":
    case "calendar-month":
      return 30 * 86400;
  }
}

export const TeamSpecSchema = z.object({
  slug: SlugSchema,
  name: DisplayNameSchema,
  description: DescriptionSchema.default(""),
});
export type TeamSpec = z.infer<typeof TeamSpecSchema>;

export const ServiceSpecSchema = z.object({
  slug: SlugSchema,
  name: DisplayNameSchema,
  team: refSlugSchema("a team"),
  tier: TierSchema.default("medium"),
  description: DescriptionSchema.default(""),
  owner: z.string().trim().max(200).default(""),
  runbookUrl: z.union([z.string().trim().url("must be a valid URL"), z.literal("")]).default(""),
  repoUrl: z.union([z.string().trim().url("must be a valid URL"), z.literal("")]).default(""),
  labels: LabelsSchema,
});
export type ServiceSpec = z.infer<typeof ServiceSpecSchema>;
