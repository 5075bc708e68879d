import { z } from "zod";

export const publishRuleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("lead") }).strict(),
  z.object({ kind: z.literal("quorum"), approvals: z.number().int().min(1).max(100) }).strict(),
]);

export type PublishRule = z.infer<typeof publishRuleSchema>;

/** A project's workflow settings; every key has a default so that `{}` is a valid project. */
export const projectSettingsSchema = z
  .object({
    /** How long an annotator holds an item before it goes back to the pool. */
    reservationMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(30),
    /** Every item gets at least one `expert` among its annotators. */
    requireExpert: z.boolean().default(false),
    /** Share of assignments that are gold items, while unanswered gold items remain. */
    goldRate: z.number().min(0).max(1).default(0.1),
    /** Ratings within this distance of the gold value count as correct. */
    goldRatingTolerance: z.number().int().min(0).max(100).default(1),
    /** Juniors' annotations sampled into the lead's review queue: all of the first N, then a share. */
    juniorReview: z
      .object({
        firstN: z.number().int().min(0).max(10_000).default(20),
        rate: z.number().min(0).max(1).default(0.2),
      })
      .strict()
      .default({ firstN: 20, rate: 0.2 }),
    /** Clients see annotators as "Annotator A", "Annotator B" … unless this is false. */
    pseudonymiseForClients: z.boolean().default(true),
    /** Clients see what the project's work cost (never a person's rate or cost) only if this is on. */
    showCostsToClients: z.boolean().default(false),
    /**
     * Who publishes an adjudicated label: a lead (`lead`), or any panel member or lead once
     * `approvals` panel members have approved the very draft being published (`quorum`).
     */
    publishRule: publishRuleSchema.default({ kind: "lead" }),
  })
  .strict();

export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
