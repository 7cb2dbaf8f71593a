import { z } from "zod";
import { DescriptionSchema, DisplayNameSchema, SlugSchema, refSlugSchema } from "./common";
import { SliSpecSchema } from "./sli";
import { SloSpecSchema, TeamSpecSchema } from "./slo";

/**
 * API/UI resource shapes. They reuse the generation specs and replace embedded objects by
 * references (slugs), which is what forms and `curl` users send.
 */
export const SliResourceSchema = z.object({
  slug: SlugSchema,
  name: DisplayNameSchema,
  description: DescriptionSchema.default(""),
  service: refSlugSchema("a service"),
  spec: SliSpecSchema,
});
export type SliResource = z.infer<typeof SliResourceSchema>;

export const SloResourceSchema = SloSpecSchema.omit({ sli: true }).extend({
  service: refSlugSchema("a service"),
  /** Slug of an SLI of the same service. */
  sli: refSlugSchema("an SLI"),
  /** Error-budget policy slug, or null for none. */
  policy: SlugSchema.nullable().default(null),
});
export type SloResource = z.infer<typeof SloResourceSchema>;

/** A team as the API takes it: the generation spec plus the policy its new SLOs get by default (null clears it). */
export const TeamResourceSchema = TeamSpecSchema.extend({
  defaultPolicy: SlugSchema.nullable().optional(),
});
export type TeamResource = z.infer<typeof TeamResourceSchema>;

/** Every update carries the version the client read (optimistic locking). */
export const VersionSchema = z.object({ version: z.number().int().positive("is required for updates") });

/** Flattens zod issues to `{ "sli.errorQuery": "invalid PromQL: ..." }` for field-level errors. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    out[key] ??= issue.message;
  }
  return out;
}
