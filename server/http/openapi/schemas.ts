import { z } from "zod";
import { disputePolicySchema } from "../../../app/domain/disputes.ts";
import { promptSchema, responseSchema } from "../../../app/domain/item.ts";
import { publishRuleSchema } from "../../../app/domain/project.ts";
import { templateSchema } from "../../../app/domain/template.ts";
import { errorStatus, type ErrorCode } from "../../errors.ts";
import { itemStatuses } from "../../services/items.ts";
import { reviewCommentSchema } from "../../services/review.ts";

/**
 * The bodies the API answers with, as zod schemas: they are what the OpenAPI document says of
 * each response, and the tests hold real responses to them. Objects whose fields depend on who
 * asks, or that carry computed figures documented in the README, are `looseObject`s: the fields
 * named here are always there, others may be.
 */

const timestamp = z.iso.datetime();
const id = z.number().int().positive();
const label = z.record(z.string(), z.unknown()).describe("`{ [fieldId]: value }`");
const itemStatus = z.enum(itemStatuses as [string, ...string[]]);
const projectRole = z.enum(["lead", "annotator", "client"]);
const level = z.enum(["junior", "expert"]).nullable();

/** `{ error: { code, message, details? } }`: every failure, whatever the endpoint. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z
        .unknown()
        .optional()
        .describe(
          "For 422 and 400 on input: `[{ field, message }]` (`[{ row, field, message }]` for imports)",
        ),
    }),
  })
  .meta({ title: "Error" });

export const publicUserSchema = z.object({
  id,
  email: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
  level,
  domains: z.array(z.string()),
  hourlyRate: z.number().nullable(),
  createdAt: timestamp,
});

export const managedUserSchema = publicUserSchema.extend({
  disabled: z.boolean(),
  disabledAt: timestamp.nullable(),
  lastSeenAt: timestamp.nullable(),
  passwordSet: z.boolean(),
  pendingInvite: z.object({ expiresAt: timestamp }).nullable(),
});

export const issuedLinkSchema = z.object({
  url: z.string(),
  purpose: z.enum(["invite", "password_reset"]),
  expiresAt: timestamp,
  email: z.enum(["sent", "not_configured", "failed"]),
});

export const userWithLinkSchema = z.object({ user: managedUserSchema, link: issuedLinkSchema });

export const apiTokenSchema = z.object({
  id,
  name: z.string(),
  prefix: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});

export const createdTokenSchema = z.object({
  id,
  name: z.string(),
  prefix: z.string(),
  token: z.string().describe("The secret, shown only in this answer"),
  createdAt: timestamp,
});

export const projectSchema = z.object({
  id,
  name: z.string(),
  description: z.string(),
  domain: z.string().nullable(),
  role: projectRole.nullable().describe("The caller's role; null for an admin who is no member"),
  overlap: z.number().int(),
  autoPublishConsensus: z.boolean(),
  template: templateSchema,
  disputePolicy: disputePolicySchema,
  archived: z.boolean(),
  createdAt: timestamp,
  itemCounts: z
    .record(z.string(), z.number().int())
    .describe(
      "Items by status; empty for annotators, whom any count by status would tell gold items and hidden outcomes apart",
    ),
});

export const memberSchema = z.object({
  userId: id.nullable().describe("null for another annotator shown under a pseudonym"),
  email: z.string().nullable(),
  name: z.string(),
  role: projectRole,
  level,
  domains: z.array(z.string()),
});

export const importSummarySchema = z.object({
  created: z.number().int(),
  unchanged: z.number().int(),
  annotations: z.number().int(),
});

export const itemListSchema = z.object({
  items: z.array(
    z.looseObject({
      id,
      externalId: z.string().nullable(),
      domain: z.string().nullable(),
      preview: z.string(),
      createdAt: timestamp.nullable(),
      status: itemStatus.optional(),
      labelCount: z.number().int().optional(),
      disputedFields: z.array(z.string()).optional(),
    }),
  ),
  total: z.number().int(),
  nextCursor: z
    .union([z.number().int(), z.string()])
    .nullable()
    .describe(
      "Pass it back as `cursor`: a number for the orders by id, a string for the orders by time; null on the last page",
    ),
});

const visibleAnnotationSchema = z.object({
  id,
  annotator: z.object({ id: id.nullable(), name: z.string(), own: z.boolean() }),
  label: z.unknown(),
  durationMs: z.number().int().nullable(),
  activeMs: z.number().int().nullable(),
  submittedAt: timestamp,
  source: z.enum(["quorum", "import"]),
  rejected: z.boolean(),
});

export const itemViewSchema = z.object({
  item: z.looseObject({
    id,
    projectId: id,
    externalId: z.string().nullable(),
    prompt: promptSchema,
    responses: z.array(responseSchema),
    domain: z.string().nullable(),
    template: templateSchema,
    status: itemStatus.optional().describe("Shown once the item is revealed to the caller"),
    metadata: z.unknown().optional(),
    gold: z.object({ label }).nullable().optional().describe("Not shown to annotators"),
  }),
  assignment: z
    .looseObject({ status: z.enum(["reserved", "submitted", "skipped", "expired"]) })
    .nullable(),
  draft: z.unknown().nullable(),
  annotations: z.array(visibleAnnotationSchema),
  outcome: z
    .object({
      disputed: z.boolean(),
      fields: z.unknown(),
      aggregatedLabel: z.unknown(),
      checkedAt: timestamp,
    })
    .nullable(),
  versions: z.array(
    z.looseObject({
      version: z.number().int(),
      label: z.unknown(),
      rationale: z.string().nullable(),
      publishedAt: timestamp,
    }),
  ),
});

/**
 * The item's view and its reservation; `{ assignment: null, item: null }` when none is left. One
 * object with nullable parts rather than a union with a `{ assignment: null, item: null }`
 * branch: openapi-fetch's response types drop properties whose type is exactly `null`.
 */
export const queueNextSchema = itemViewSchema.partial().extend({
  assignment: z
    .object({ id, itemId: id, status: z.literal("reserved"), expiresAt: timestamp })
    .nullable(),
  item: itemViewSchema.shape.item.nullable(),
});

export const submittedAnnotationSchema = z.object({
  id,
  itemId: id,
  label,
  durationMs: z.number().int().nullable(),
  activeMs: z.number().int(),
  submittedAt: timestamp,
  sampledForReview: z.boolean(),
});

export const revisedAnnotationSchema = z.object({
  id,
  itemId: id,
  label,
  submittedAt: timestamp,
});

const estimate = z
  .object({ value: z.number().nullable(), reason: z.string().nullable() })
  .describe("A figure, or null with the reason it is undefined");

export const progressSchema = z.object({
  items: z.number().int(),
  goldItems: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  done: z.number().int(),
  labels: z.object({ given: z.number().int(), needed: z.number().int() }),
  annotators: z.array(
    z.object({
      id: id.nullable(),
      name: z.string(),
      level,
      labels: z.number().int(),
      goldAnswers: z.number().int(),
      meanDurationMs: z.number().nullable(),
      meanGoldDurationMs: z.number().nullable(),
    }),
  ),
  costCents: estimate.optional().describe("For those who see the project's costs"),
  costPerPublishedItemCents: estimate.optional(),
});

export const qualitySchema = z.looseObject({
  projectId: id,
  pseudonymised: z.boolean(),
  costsShown: z.boolean(),
  fields: z.array(z.object({ id: z.string(), label: z.string(), type: z.string() })),
  goldAccuracy: z.array(z.unknown()),
  juniorReviews: z.array(z.unknown()),
  agreement: z.array(z.unknown()),
  annotators: z.array(z.unknown()),
  groups: z.unknown(),
  project: z.unknown(),
  fieldQuality: z.array(z.unknown()),
  overTime: z
    .array(
      z.object({
        day: z.string().describe("A UTC day, YYYY-MM-DD"),
        items: z.number().int().describe("Items (not gold) whose latest label was submitted then"),
        alpha: z.array(estimate.extend({ fieldId: z.string() })),
        accuracyVsFinal: estimate.extend({
          correct: z.number().int(),
          scored: z.number().int(),
        }),
      }),
    )
    .describe(
      "The last 30 UTC days, oldest first: each item counts on the day its latest label was " +
        "submitted; Krippendorff's alpha per field and accuracy against the final label of those items",
    ),
});

export const labelingStatusSchema = z.object({
  state: z.enum(["available", "waiting", "all_done", "no_items_for_domains", "no_items"]),
  doneToday: z.number().int(),
  doneTotal: z.number().int(),
  remaining: z.number().int(),
  waiting: z.number().int(),
});

const guidelinesMeta = {
  version: z.number().int(),
  createdAt: timestamp,
  createdBy: z.object({ id, name: z.string() }).nullable(),
};

export const guidelinesSchema = z.object({ ...guidelinesMeta, body: z.string() });
export const guidelinesVersionSchema = z.object({ ...guidelinesMeta, length: z.number().int() });

const person = z.object({ id, name: z.string(), email: z.string() });
const flaggedItem = z.object({ id, externalId: z.string().nullable() });

export const flagSchema = z.object({
  id,
  item: flaggedItem,
  note: z.string(),
  createdAt: timestamp,
  flaggedBy: person,
  status: z.enum(["open", "released", "reassigned"]),
  resolvedAt: timestamp.nullable(),
  resolvedBy: person.nullable(),
  reassignedTo: person.nullable(),
});

export const skipSchema = z.object({
  item: flaggedItem,
  reason: z.string(),
  skippedAt: timestamp.nullable(),
  skippedBy: person,
});

export const panelMemberSchema = z.object({
  userId: id,
  name: z.string(),
  source: z.enum(["annotator", "invited"]),
});

export const adjudicationSchema = z.object({
  itemId: id,
  status: itemStatus,
  publishRule: publishRuleSchema,
  latestVersion: z.number().int().nullable(),
  draftVersion: z.number().int().nullable(),
  panel: z.array(
    z.object({
      memberId: z.string().describe("The participant key the room names the member by"),
      name: z.string(),
      source: z.enum(["annotator", "invited"]),
      own: z.boolean(),
    }),
  ),
  approvals: z.array(z.string()),
  may: z.object({
    publish: z.boolean(),
    approve: z.boolean(),
    reopen: z.boolean(),
    managePanel: z.boolean(),
  }),
});

export const approvalSchema = z.object({
  version: z.number().int(),
  required: z.number().int().nullable(),
  approvals: z.array(z.string()),
});

export const publishedSchema = z.object({ version: z.number().int(), label });

export const reopenedSchema = z.object({
  status: z.literal("adjudicating"),
  draftVersion: z.number().int(),
});

export const consensusPublicationSchema = z.object({
  published: z.number().int(),
  skipped: z.array(z.object({ itemId: id, reason: z.string() })),
});

export const reviewSchema = z.object({
  id,
  verdict: z.enum(["pending", "accepted", "corrected", "rejected"]),
  comments: z.array(reviewCommentSchema),
  correctedLabel: z.unknown().nullable(),
  createdAt: timestamp,
  decidedAt: timestamp.nullable(),
  annotation: z.object({ id, label: z.unknown(), submittedAt: timestamp }),
  annotator: z.object({ id, name: z.string() }),
  item: z.object({ id, externalId: z.string().nullable() }),
});

export const reviewDecidedSchema = z.object({
  id,
  verdict: z.enum(["accepted", "corrected", "rejected"]),
});

export const ownAnnotationSchema = z.looseObject({
  id,
  item: z.object({ id, externalId: z.string().nullable() }),
  label: z.unknown(),
  submittedAt: timestamp,
  durationMs: z.number().int().nullable(),
  activeMs: z.number().int().nullable(),
  review: z.looseObject({ verdict: z.string() }).nullable(),
});

export const webhookSchema = z.object({
  id,
  projectId: id,
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  allowPrivateAddresses: z.boolean(),
  createdAt: timestamp,
  owner: z
    .object({ id, name: z.string() })
    .nullable()
    .describe("Who created the endpoint or last saved it; null once that account is deleted"),
  paused: z
    .boolean()
    .describe(
      "Nothing is sent while the owner may no longer manage the project's webhooks (not a lead of it, disabled or deleted, and not an admin); a lead or admin who saves the endpoint takes it over",
    ),
  turnedOffAt: timestamp
    .nullable()
    .describe(
      "When Quorum turned the endpoint off (`enabled` false) because nothing had been delivered to it for `WEBHOOK_TURN_OFF_AFTER_HOURS`; its events wait, and enabling it resumes where it stopped",
    ),
  delivery: z.object({
    throughEventId: z
      .number()
      .int()
      .describe("Every subscribed event up to this id has been delivered or given up"),
    failedAttempts: z.number().int().describe("Failed attempts at the event it waits on"),
    failingSince: timestamp.nullable().describe("The first failed attempt at that event"),
    unreachableSince: timestamp
      .nullable()
      .describe("The first failed attempt since the last delivery, whichever events it was for"),
    nextAttemptAt: timestamp.nullable(),
  }),
});

export const createdWebhookSchema = webhookSchema.extend({
  secret: z.string().describe("The signing secret, shown only in this answer"),
});

export const webhookDeliveriesSchema = z.object({
  webhook: webhookSchema,
  waiting: z.number().int().describe("Subscribed events not delivered yet"),
  attempts: z.array(
    z.looseObject({
      id,
      eventId: id,
      eventType: z.string().nullable(),
      attempt: z.number().int(),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
      durationMs: z.number().int().nullable(),
      outcome: z.string(),
      manual: z.boolean(),
      at: timestamp,
    }),
  ),
});

export const redeliverySchema = z.object({
  eventId: id,
  attempt: z.number().int(),
  delivered: z.boolean(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});

export const adjudicationQueueSchema = z.object({
  items: z.array(
    z.looseObject({
      id,
      externalId: z.string(),
      status: z.enum(["disputed", "adjudicating"]),
      disputedFields: z.array(z.string()),
      disputedAt: timestamp.describe("When the item's current wait began"),
      reopened: z.boolean(),
      inRoom: z
        .array(z.object({ id: id.nullable(), name: z.string() }))
        .describe("Who is in the item's room now, as the caller may see them"),
    }),
  ),
  total: z.number().int(),
});
