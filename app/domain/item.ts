import { z } from "zod";

/** Expertise areas shared by annotator profiles and items. */
export const domainSchema = z
  .string()
  .regex(
    /^(medical|legal|code|science|finance|general|language:[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*)$/,
    "must be medical, legal, code, science, finance, general or language:<bcp47>",
  );

export const conversationTurnSchema = z
  .object({
    role: z.string().trim().min(1).max(50),
    content: z.string().max(200_000),
  })
  .strict();

export const promptSchema = z.union([
  z.string().max(200_000),
  z.array(conversationTurnSchema).min(1).max(500),
]);

export const responseSchema = z
  .object({
    id: z.string().trim().min(1).max(100),
    model: z.string().max(200).optional(),
    text: z.string().max(200_000),
  })
  .strict();

export const importedAnnotationSchema = z
  .object({
    annotator: z.email().transform((email) => email.toLowerCase()),
    label: z.record(z.string(), z.unknown()),
    submittedAt: z.iso.datetime({ offset: true }).optional(),
    durationMs: z.number().int().nonnegative().optional(),
  })
  .strict();

/**
 * An item as users import it (DESIGN.md): labels in `gold` and `annotations` are checked against
 * the project's template separately, since that depends on the project.
 */
export const itemInputSchema = z
  .object({
    externalId: z.string().trim().min(1).max(500),
    prompt: promptSchema,
    responses: z
      .array(responseSchema)
      .min(1)
      .max(20)
      .refine(
        (responses) => new Set(responses.map((response) => response.id)).size === responses.length,
        "response ids must be unique",
      ),
    domain: domainSchema.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    gold: z
      .object({ label: z.record(z.string(), z.unknown()) })
      .strict()
      .optional(),
    annotations: z.array(importedAnnotationSchema).max(100).optional(),
  })
  .strict();

export type ConversationTurn = z.infer<typeof conversationTurnSchema>;
export type Prompt = z.infer<typeof promptSchema>;
export type ItemResponse = z.infer<typeof responseSchema>;
export type ItemInput = z.infer<typeof itemInputSchema>;
export type ImportedAnnotation = z.infer<typeof importedAnnotationSchema>;
