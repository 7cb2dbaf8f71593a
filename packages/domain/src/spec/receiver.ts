import { z } from "zod";
import { DisplayNameSchema, HttpUrlSchema, SlugSchema, refSlugSchema } from "./common";

/** Where Alertmanager sends a team's alerts. Secrets (keys, webhook URLs with tokens) are stored encrypted. */
export const ReceiverSpecSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("webhook"),
    url: HttpUrlSchema,
    sendResolved: z.boolean().default(true),
    /**
     * Bearer credentials Alertmanager sends in the Authorization header (read from a file, so
     * Alertmanager's status page never shows them). Prefer this to a secret in the URL path.
     */
    authorization: z
      .string()
      .trim()
      .min(16, "must be at least 16 characters")
      .max(4096, "must be at most 4096 characters")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional(),
  }),
  z.object({ kind: z.literal("slack"), channel: z.string().trim().regex(/^#?[a-z0-9._-]{1,80}$/, "must be a Slack channel like #team-alerts"), apiUrl: HttpUrlSchema }),
  z.object({ kind: z.literal("pagerduty"), routingKey: z.string().trim().regex(/^[A-Za-z0-9]{20,64}$/, "must be a PagerDuty integration key") }),
  z.object({ kind: z.literal("email"), to: z.email("must be a valid email address") }),
]);
export type ReceiverSpec = z.infer<typeof ReceiverSpecSchema>;

export const AlertReceiverSpecSchema = z.object({
  slug: SlugSchema,
  name: DisplayNameSchema,
  team: refSlugSchema("a team"),
  /** Which severities go to this receiver. */
  severities: z.array(z.enum(["page", "ticket"])).min(1, "choose at least one severity"),
  config: ReceiverSpecSchema,
});
export type AlertReceiverSpec = z.infer<typeof AlertReceiverSpecSchema>;
