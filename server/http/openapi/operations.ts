import { z } from "zod";
import { exportFormats } from "../../../app/domain/export.ts";
import { itemInputSchema } from "../../../app/domain/item.ts";
import type { ErrorCode } from "../../errors.ts";
import { addPanelMemberSchema } from "../../services/panel.ts";
import {
  annotationInputSchema,
  draftInputSchema,
  skipInputSchema,
} from "../../services/annotate.ts";
import { exportQuerySchema } from "../../services/export.ts";
import { flagInputSchema, flagListQuerySchema, reassignInputSchema } from "../../services/flags.ts";
import { guidelinesInputSchema } from "../../services/guidelines.ts";
import { labelStudioImportQuerySchema } from "../../services/import/formats.ts";
import { importFormats } from "../../services/import/index.ts";
import { itemListQuerySchema } from "../../services/items.ts";
import { adjudicationQueueQuerySchema } from "../../services/adjudication-queue.ts";
import { createWebhookSchema, updateWebhookSchema } from "../../services/webhooks/endpoints.ts";
import {
  memberInputSchema,
  newProjectSchema,
  projectUpdateSchema,
} from "../../services/project-admin.ts";
import { publishConsensusInputSchema } from "../../services/publish-consensus.ts";
import { publishInputSchema } from "../../services/publish.ts";
import { reviewDecisionSchema } from "../../services/review.ts";
import { revisionInputSchema } from "../../services/revise.ts";
import {
  inviteUserSchema,
  projectInviteSchema,
  userUpdateSchema,
} from "../../services/user-admin.ts";
import { newTokenSchema } from "../routes/account.ts";
import { guidelinesQuerySchema } from "../routes/labeling.ts";
import { ownAnnotationListQuerySchema, reviewListQuerySchema } from "../routes/projects.ts";
import { listQuerySchema } from "../routes/users.ts";
import { queueQuerySchema } from "../routes/work.ts";
import * as bodies from "./schemas.ts";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseDoc {
  description: string;
  /** The JSON body; absent for 204 and for non-JSON bodies described by `content`. */
  schema?: z.ZodType;
  example?: unknown;
  /** Bodies other than JSON: media type → a description of the text. */
  content?: Record<string, { description: string; example: string }>;
  headers?: Record<string, string>;
}

export interface RequestDoc {
  schema: z.ZodType;
  example: unknown;
  /** Other media types the endpoint reads the same body from, as text. */
  alternatives?: Record<string, { description: string; example: string }>;
}

/**
 * One endpoint of /api/v1. `path` is the Express path the router registers, so the coverage
 * test can match the two; the document writes it in OpenAPI's `{name}` form.
 */
/** An error's message, or its message and details. */
export type ErrorExample = string | { message: string; details: unknown };

export interface ApiOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it, in the words of the README. */
  access: string;
  /** No credentials needed. */
  public?: boolean;
  query?: z.ZodObject;
  body?: RequestDoc;
  responses: Record<number, ResponseDoc>;
  /** Errors beyond those every endpoint of its kind can answer, each with an example message. */
  errors?: Partial<Record<ErrorCode, ErrorExample>>;
}

// Examples shared by several operations.
const at = "2026-03-02T09:30:00.000Z";
const later = "2026-03-02T10:05:00.000Z";
const ratingTemplate = {
  fields: [
    {
      id: "helpfulness",
      label: "Helpfulness",
      type: "rating",
      min: 1,
      max: 5,
      required: true,
      level: "ordinal",
    },
  ],
};
const projectExample = {
  id: 7,
  name: "Clinical answers",
  description: "",
  domain: "medical",
  role: "lead",
  overlap: 3,
  autoPublishConsensus: false,
  template: ratingTemplate,
  disputePolicy: {},
  archived: false,
  createdAt: at,
  itemCounts: { queued: 120, annotating: 4, consensus: 30, disputed: 2 },
};
const publicUserExample = {
  id: 3,
  email: "expert1@example.org",
  name: "Expert One",
  isAdmin: false,
  level: "expert",
  domains: ["medical"],
  hourlyRate: 60,
  createdAt: at,
};
const submittedAnnotationExample = {
  id: 77,
  itemId: 42,
  label: { helpfulness: 4 },
  durationMs: 60000,
  activeMs: 58000,
  submittedAt: later,
  sampledForReview: false,
};

const managedUserExample = {
  ...publicUserExample,
  disabled: false,
  disabledAt: null,
  lastSeenAt: later,
  passwordSet: false,
  pendingInvite: { expiresAt: "2026-03-09T09:30:00.000Z" },
};
const linkExample = {
  url: "https://quorum.example.org/invite/qi_3Xz…",
  purpose: "invite",
  expiresAt: "2026-03-09T09:30:00.000Z",
  email: "sent",
};
const itemExample = {
  externalId: "q-0001",
  prompt: "Is ibuprofen safe with warfarin?",
  responses: [
    { id: "a", model: "model-a", text: "No: it raises the risk of bleeding…" },
    { id: "b", model: "model-b", text: "Yes, at normal doses." },
  ],
  domain: "medical",
};
const itemViewExample = {
  item: {
    id: 42,
    projectId: 7,
    externalId: null,
    prompt: itemExample.prompt,
    responses: itemExample.responses,
    domain: "medical",
    template: ratingTemplate,
  },
  assignment: { status: "reserved", expiresAt: later },
  draft: null,
  annotations: [],
  outcome: null,
  versions: [],
};
const flagExample = {
  id: 5,
  item: { id: 42, externalId: "q-0001" },
  note: "Response b is cut off",
  createdAt: at,
  flaggedBy: { id: 3, name: "Expert One", email: "expert1@example.org" },
  status: "open",
  resolvedAt: null,
  resolvedBy: null,
  reassignedTo: null,
};
const guidelinesExample = {
  version: 2,
  body: "# Rating helpfulness\n\nJudge the answer a clinician would give…",
  createdAt: at,
  createdBy: { id: 2, name: "Lead" },
};
const memberExample = {
  userId: 3,
  email: "expert1@example.org",
  name: "Expert One",
  role: "annotator",
  level: "expert",
  domains: ["medical"],
};

const webhookExample = {
  id: 2,
  projectId: 7,
  url: "https://pipeline.example.org/quorum",
  events: ["item.published"],
  enabled: true,
  allowPrivateAddresses: false,
  createdAt: at,
  owner: { id: 2, name: "Lead" },
  paused: false,
  turnedOffAt: null,
  delivery: {
    throughEventId: 118,
    failedAttempts: 0,
    failingSince: null,
    unreachableSince: null,
    nextAttemptAt: null,
  },
};

const noContent: ResponseDoc = { description: "Done; no body" };
const leads = "Leads of the project and admins";
const members = "Members of the project and admins";
const leadsAndClients = "Leads and clients of the project, and admins";
const annotators = "Annotators and leads of the project";
const admins = "Workspace admins (403 for everyone else, whatever the id)";

const formatQuery = z
  .object({
    format: z
      .enum(importFormats)
      .optional()
      .describe("The file's format when the Content-Type does not say it (e.g. `label-studio`)"),
  })
  .extend(labelStudioImportQuerySchema.shape);

export const operations: ApiOperation[] = [
  {
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    tag: "Meta",
    summary: "This OpenAPI document",
    access: "Anyone (no authentication)",
    public: true,
    responses: {
      200: {
        description: "The OpenAPI 3.1 document of /api/v1",
        schema: z.record(z.string(), z.unknown()),
        example: { openapi: "3.1.0", info: { title: "Quorum API", version: "0.1.0" } },
      },
    },
  },

  // Account
  {
    method: "get",
    path: "/me",
    operationId: "getMe",
    tag: "Account",
    summary: "The signed-in user",
    access: "Any signed-in user",
    responses: {
      200: {
        description: "The caller",
        schema: z.object({ user: bodies.publicUserSchema }),
        example: { user: publicUserExample },
      },
    },
  },
  {
    method: "get",
    path: "/tokens",
    operationId: "listTokens",
    tag: "Account",
    summary: "The caller's API tokens",
    access: "Any signed-in user",
    responses: {
      200: {
        description: "Every token of the caller, revoked ones included; never the secrets",
        schema: z.object({ tokens: z.array(bodies.apiTokenSchema) }),
        example: {
          tokens: [
            {
              id: 4,
              name: "pipeline",
              prefix: "qt_8f2a",
              createdAt: at,
              lastUsedAt: later,
              revokedAt: null,
            },
          ],
        },
      },
    },
  },
  {
    method: "post",
    path: "/tokens",
    operationId: "createToken",
    tag: "Account",
    summary: "Create an API token",
    description: "The token is shown only in this answer.",
    access: "Any signed-in user",
    body: { schema: newTokenSchema, example: { name: "pipeline" } },
    responses: {
      201: {
        description: "The new token",
        schema: bodies.createdTokenSchema,
        example: { id: 4, name: "pipeline", prefix: "qt_8f2a", token: "qt_8f2a…", createdAt: at },
      },
    },
  },
  {
    method: "delete",
    path: "/tokens/:id",
    operationId: "revokeToken",
    tag: "Account",
    summary: "Revoke an API token",
    description: "It stops working at once.",
    access: "The token's owner",
    responses: { 204: noContent },
    errors: { not_found: "No such token" },
  },

  // People
  {
    method: "get",
    path: "/users",
    operationId: "listUsers",
    tag: "People",
    summary: "Search the workspace's users",
    description: "`q` matches name, email or domain.",
    access: admins,
    query: listQuerySchema,
    responses: {
      200: {
        description: "The matching users by name",
        schema: z.object({ users: z.array(bodies.managedUserSchema) }),
        example: { users: [managedUserExample] },
      },
    },
    errors: {
      forbidden: "Only workspace admins may manage users",
      bad_request: "q must be a single string of at most 200 characters",
    },
  },
  {
    method: "post",
    path: "/users",
    operationId: "inviteUser",
    tag: "People",
    summary: "Invite a user",
    description:
      "Creates an account without a password and its invite link, shown only here (and emailed when SMTP is configured).",
    access: admins,
    body: {
      schema: inviteUserSchema,
      example: { email: "expert1@example.org", name: "Expert One", level: "expert" },
    },
    responses: {
      201: {
        description: "The account and its invite link",
        schema: bodies.userWithLinkSchema,
        example: { user: managedUserExample, link: linkExample },
      },
    },
    errors: {
      forbidden: "Only workspace admins may manage users",
      conflict: "A user with this email already exists",
    },
  },
  {
    method: "get",
    path: "/users/:id",
    operationId: "getUser",
    tag: "People",
    summary: "A user",
    access: admins,
    responses: {
      200: {
        description: "The user",
        schema: z.object({ user: bodies.managedUserSchema }),
        example: { user: managedUserExample },
      },
    },
    errors: { forbidden: "Only workspace admins may manage users", not_found: "No such user" },
  },
  {
    method: "patch",
    path: "/users/:id",
    operationId: "updateUser",
    tag: "People",
    summary: "Edit or disable a user",
    description: "`disabled: true` signs the user out everywhere at once.",
    access: admins,
    body: { schema: userUpdateSchema, example: { level: "expert", hourlyRate: 65 } },
    responses: {
      200: {
        description: "The user as changed",
        schema: z.object({ user: bodies.managedUserSchema }),
        example: { user: { ...managedUserExample, hourlyRate: 65 } },
      },
    },
    errors: {
      forbidden: "Only workspace admins may manage users",
      not_found: "No such user",
      conflict: "You cannot disable yourself",
    },
  },
  {
    method: "post",
    path: "/users/:id/invite",
    operationId: "reissueInvite",
    tag: "People",
    summary: "A new invite link",
    description: "For someone who has not set a password yet; their older links stop working.",
    access: admins,
    responses: {
      201: {
        description: "The user and the new link",
        schema: bodies.userWithLinkSchema,
        example: { user: managedUserExample, link: linkExample },
      },
    },
    errors: {
      forbidden: "Only workspace admins may manage users",
      not_found: "No such user",
      conflict: "This user is disabled",
    },
  },
  {
    method: "post",
    path: "/users/:id/password-reset",
    operationId: "issuePasswordReset",
    tag: "People",
    summary: "A password-reset link",
    description: "For someone who has set a password; their older links stop working.",
    access: admins,
    responses: {
      201: {
        description: "The user and the reset link",
        schema: bodies.userWithLinkSchema,
        example: {
          user: { ...managedUserExample, passwordSet: true, pendingInvite: null },
          link: { ...linkExample, purpose: "password_reset" },
        },
      },
    },
    errors: {
      forbidden: "Only workspace admins may manage users",
      not_found: "No such user",
      conflict: "This user is disabled",
    },
  },
  {
    method: "post",
    path: "/projects/:id/invites",
    operationId: "inviteProjectMember",
    tag: "People",
    summary: "Invite someone new into the project",
    description:
      "An account, its invite link and its membership in one step; only admins invite a `lead`.",
    access: "Whoever manages the project's members (leads, admins)",
    body: {
      schema: projectInviteSchema,
      example: { email: "expert1@example.org", name: "Expert One", role: "annotator" },
    },
    responses: {
      201: {
        description: "The membership and the invite link",
        schema: z.object({ member: bodies.memberSchema, link: bodies.issuedLinkSchema }),
        example: { member: memberExample, link: linkExample },
      },
    },
    errors: {
      forbidden: "Only admins may invite a lead",
      conflict: "A user with this email already exists",
    },
  },

  // Projects
  {
    method: "get",
    path: "/projects",
    operationId: "listProjects",
    tag: "Projects",
    summary: "The caller's projects",
    description:
      "Projects the caller belongs to (all, for admins), with the caller's role and item counts by status.",
    access: "Any signed-in user",
    responses: {
      200: {
        description: "The projects",
        schema: z.object({ projects: z.array(bodies.projectSchema) }),
        example: { projects: [projectExample] },
      },
    },
  },
  {
    method: "post",
    path: "/projects",
    operationId: "createProject",
    tag: "Projects",
    summary: "Create a project",
    description: "Give a `template` or a `preset`. The creator leads the project.",
    access: "Admins and leads of any project",
    body: {
      schema: newProjectSchema,
      example: { name: "Clinical answers", domain: "medical", template: ratingTemplate },
    },
    responses: {
      201: {
        description: "The new project",
        schema: z.object({ project: bodies.projectSchema }),
        example: { project: { ...projectExample, itemCounts: {} } },
      },
    },
    errors: { forbidden: "You do not have permission to do this" },
  },
  {
    method: "get",
    path: "/projects/:id",
    operationId: "getProject",
    tag: "Projects",
    summary: "A project",
    access: members,
    responses: {
      200: {
        description: "The project",
        schema: z.object({ project: bodies.projectSchema }),
        example: { project: projectExample },
      },
    },
    errors: { not_found: "No such project" },
  },
  {
    method: "patch",
    path: "/projects/:id",
    operationId: "updateProject",
    tag: "Projects",
    summary: "Edit or archive a project",
    description: "A template that would invalidate labels already given is refused with 409.",
    access: leads,
    body: { schema: projectUpdateSchema, example: { name: "Clinical answers (v2)", overlap: 5 } },
    responses: {
      200: {
        description: "The project as changed",
        schema: z.object({ project: bodies.projectSchema }),
        example: { project: { ...projectExample, name: "Clinical answers (v2)", overlap: 5 } },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      conflict: "The new template would invalidate 3 labels already given",
    },
  },
  {
    method: "get",
    path: "/projects/:id/members",
    operationId: "listProjectMembers",
    tag: "Projects",
    summary: "The project's members",
    description:
      'Those who see pseudonyms get the other annotators as `{ userId: null, email: null, name: "Annotator B", level: null, … }`.',
    access: members,
    responses: {
      200: {
        description: "The members as the caller may see them",
        schema: z.object({ members: z.array(bodies.memberSchema) }),
        example: { members: [memberExample] },
      },
    },
    errors: { not_found: "No such project" },
  },
  {
    method: "post",
    path: "/projects/:id/members",
    operationId: "setProjectMember",
    tag: "Projects",
    summary: "Add a member or change their role",
    access: leads,
    body: {
      schema: memberInputSchema,
      example: { email: "expert1@example.org", role: "annotator" },
    },
    responses: {
      200: {
        description: "The role of an existing member was changed",
        schema: z.object({ member: bodies.memberSchema }),
        example: { member: memberExample },
      },
      201: {
        description: "The user was added",
        schema: z.object({ member: bodies.memberSchema }),
        example: { member: memberExample },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      conflict: "A project keeps at least one lead",
    },
  },
  {
    method: "delete",
    path: "/projects/:id/members/:userId",
    operationId: "removeProjectMember",
    tag: "Projects",
    summary: "Remove a member",
    description: "A project keeps at least one lead.",
    access: leads,
    responses: { 204: noContent },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "That user is not a member of this project",
      conflict: "A project keeps at least one lead",
    },
  },
  {
    method: "post",
    path: "/projects/:id/items",
    operationId: "importItems",
    tag: "Items",
    summary: "Import items",
    description:
      "A JSON array, NDJSON or CSV of items (`?format=label-studio` or `hh-rlhf` for those exports; the lines of a project's `jsonl` export are items too, their `label`, `source`, `version`, `rationale`, `publishedAt` and annotations' `level` ignored), up to IMPORT_MAX_BYTES, optionally gzip (`Content-Encoding: gzip`). Atomic: any invalid row is a 422 with `details: [{ row, field, message }]` and nothing is stored; idempotent on `externalId`.",
    access: leads,
    query: formatQuery,
    body: {
      schema: z.array(itemInputSchema),
      example: [itemExample],
      alternatives: {
        "application/x-ndjson": {
          description: "One item per line, as in the JSON array",
          example: JSON.stringify(itemExample),
        },
        "text/csv": {
          description: "A header row, then one item per row",
          example: "externalId,prompt,response_a,response_b\nq-0001,Is ibuprofen safe?,No…,Yes…",
        },
      },
    },
    responses: {
      200: {
        description: "Nothing new: every item was already there",
        schema: bodies.importSummarySchema,
        example: { created: 0, unchanged: 1, annotations: 0 },
      },
      201: {
        description: "Items (or their imported labels) were stored",
        schema: bodies.importSummarySchema,
        example: { created: 1, unchanged: 0, annotations: 0 },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      validation_failed: {
        message: "1 row is invalid; nothing was imported",
        details: [{ row: 2, field: "responses", message: "response ids must be unique" }],
      },
      payload_too_large: "The upload is larger than the import limit of 52428800 bytes",
      unsupported_media_type:
        "Content-Type must be one of application/json, application/x-ndjson, text/csv (or name the format with ?format=)",
    },
  },
  {
    method: "get",
    path: "/projects/:id/items",
    operationId: "listItems",
    tag: "Items",
    summary: "Search and page the project's items",
    description:
      "Only what the caller may see: annotators see only items they were assigned and may not filter by annotator, gold, field or dates. Pass `nextCursor` back as `cursor`.",
    access: members,
    query: itemListQuerySchema,
    responses: {
      200: {
        description: "A page of the matching items and how many match in all",
        schema: bodies.itemListSchema,
        example: {
          items: [
            {
              id: 42,
              externalId: "q-0001",
              domain: "medical",
              preview: "Is ibuprofen safe with warfarin?",
              createdAt: at,
              status: "disputed",
              labelCount: 3,
              disputedFields: ["helpfulness"],
            },
          ],
          total: 1,
          nextCursor: null,
        },
      },
    },
    errors: { not_found: "No such project", bad_request: "Not available to annotators: annotator" },
  },
  {
    method: "get",
    path: "/projects/:id/progress",
    operationId: "getProgress",
    tag: "Quality",
    summary: "The project's progress",
    description:
      "Items by status, labels given and needed, each annotator's count and mean time, and the work's cost for those who see it.",
    access: leadsAndClients,
    responses: {
      200: {
        description: "The progress",
        schema: bodies.progressSchema,
        example: {
          items: 156,
          goldItems: 10,
          byStatus: {
            queued: 120,
            annotating: 4,
            consensus: 30,
            disputed: 2,
            adjudicating: 0,
            published: 0,
          },
          done: 30,
          labels: { given: 104, needed: 468 },
          annotators: [
            {
              id: 3,
              name: "Expert One",
              level: "expert",
              labels: 40,
              goldAnswers: 4,
              meanDurationMs: 61000,
              meanGoldDurationMs: 55000,
            },
          ],
          costCents: { value: 412000, reason: null },
          costPerPublishedItemCents: { value: null, reason: "no_published_items" },
        },
      },
    },
    errors: { forbidden: "You do not have permission to do this", not_found: "No such project" },
  },
  {
    method: "get",
    path: "/projects/:id/reviews",
    operationId: "listReviews",
    tag: "Review",
    summary: "The lead's queue of sampled junior annotations",
    access: leads,
    query: reviewListQuerySchema,
    responses: {
      200: {
        description:
          "A page of the reviews with the given verdict, oldest first; `total` counts them all, and `nextCursor` (null on the last page) is passed back as `cursor` for the next",
        schema: z.object({
          reviews: z.array(bodies.reviewSchema),
          total: z.number().int().nonnegative(),
          nextCursor: z.number().int().positive().nullable(),
        }),
        example: {
          reviews: [
            {
              id: 9,
              verdict: "pending",
              comments: [],
              correctedLabel: null,
              createdAt: at,
              decidedAt: null,
              annotation: { id: 77, label: { helpfulness: 2 }, submittedAt: at },
              annotator: { id: 8, name: "Junior One" },
              item: { id: 42, externalId: "q-0001" },
            },
          ],
          total: 1,
          nextCursor: null,
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      bad_request: "The query parameters are not valid",
    },
  },
  {
    method: "get",
    path: "/projects/:id/annotations/mine",
    operationId: "listOwnAnnotations",
    tag: "Review",
    summary: "The caller's own annotations with review verdicts and comments",
    access: members,
    query: ownAnnotationListQuerySchema,
    responses: {
      200: {
        description:
          "A page of the caller's annotations, newest first; `total` counts them all and `reviewed` those with a decided review, and `nextCursor` (null on the last page) is passed back as `cursor` for the next (older) page",
        schema: z.object({
          annotations: z.array(bodies.ownAnnotationSchema),
          total: z.number().int().nonnegative(),
          reviewed: z.number().int().nonnegative(),
          nextCursor: z.number().int().positive().nullable(),
        }),
        example: {
          annotations: [
            {
              id: 77,
              item: { id: 42, externalId: null },
              label: { helpfulness: 2 },
              submittedAt: at,
              durationMs: 60000,
              activeMs: 58000,
              review: null,
            },
          ],
          total: 1,
          reviewed: 0,
          nextCursor: null,
        },
      },
    },
    errors: { not_found: "No such project", bad_request: "The query parameters are not valid" },
  },
  {
    method: "get",
    path: "/projects/:id/quality",
    operationId: "getQuality",
    tag: "Quality",
    summary: "Agreement, accuracy, reliability and cost",
    description:
      "Agreement per field; each annotator's accuracy against final labels and on gold items, reliability and cost; the same by level, by domain, per field and for the project.",
    access: leadsAndClients,
    responses: {
      200: {
        description: "The project's quality",
        schema: z.object({ quality: bodies.qualitySchema }),
        example: {
          quality: {
            projectId: 7,
            pseudonymised: false,
            costsShown: true,
            fields: [{ id: "helpfulness", label: "Helpfulness", type: "rating" }],
            goldAccuracy: [],
            juniorReviews: [],
            agreement: [],
            annotators: [],
            groups: null,
            project: {},
            fieldQuality: [],
            overTime: [
              {
                day: "2026-03-02",
                items: 41,
                alpha: [{ fieldId: "helpfulness", value: 0.71, reason: null }],
                accuracyVsFinal: { value: 0.86, reason: null, correct: 106, scored: 123 },
              },
              {
                day: "2026-03-03",
                items: 0,
                alpha: [{ fieldId: "helpfulness", value: null, reason: "no-data" }],
                accuracyVsFinal: { value: null, reason: "no-data", correct: 0, scored: 0 },
              },
            ],
          },
        },
      },
    },
    errors: { forbidden: "You do not have permission to do this", not_found: "No such project" },
  },
  {
    method: "get",
    path: "/projects/:id/export",
    operationId: "exportLabels",
    tag: "Export",
    summary: "Export the final labels",
    description: `Streamed as an attachment \`<project-slug>-<format>.jsonl\` (\`.csv\` for csv, \`.json\` for label-studio), read from one snapshot of the project. \`format\` is one of ${exportFormats.join(", ")}; \`field\` names the preference, ranking or rating field the pair and kto formats read. dpo, reward and kto lines carry the item's \`externalId\`. The preference formats (dpo, reward, kto, openai-dpo) take conversations in the system, user and assistant roles only; \`Quorum-Items-With-Other-Roles\` counts the items they leave out. At most EXPORT_MAX_CONCURRENT_PER_USER exports run at once per user; another is answered 429 with \`Retry-After\`.`,
    access: "Leads and clients of the project, and admins",
    query: exportQuerySchema,
    responses: {
      200: {
        description: "The labels",
        headers: {
          "Content-Disposition": 'attachment; filename="<project-slug>-<format>.jsonl"',
          "Quorum-Items-With-Other-Roles": "0",
        },
        schema: z
          .array(z.record(z.string(), z.unknown()))
          .describe("label-studio: Label Studio tasks with their annotations"),
        example: [
          {
            data: { prompt: "Is ibuprofen safe with warfarin?" },
            annotations: [{ result: [] }],
          },
        ],
        content: {
          "application/x-ndjson": {
            description: "One JSON object per line (jsonl, dpo, reward, kto, openai-dpo)",
            example: '{"externalId":"q-0001","label":{"helpfulness":4},"version":1}\n',
          },
          "text/csv": {
            description: "One row per item (csv)",
            example: "externalId,helpfulness\nq-0001,4\n",
          },
        },
      },
    },
    errors: {
      bad_request: `Unknown export format "xml": use one of ${exportFormats.join(", ")}`,
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      validation_failed: 'The field "helpfulness" is not a preference, ranking or rating field',
      rate_limited: "At most 2 exports at once per user; wait for one to finish and try again",
    },
  },
  {
    method: "get",
    path: "/projects/:id/events",
    operationId: "streamProgressEvents",
    tag: "Quality",
    summary: "The project's progress as server-sent events",
    description:
      "`event: progress` with the body of `GET /projects/{id}/progress`, at once and whenever it changes (read every EVENTS_POLL_SECONDS); `event: error` with the error body, then the end, once the caller's session, token or membership no longer holds. At most EVENTS_MAX_STREAMS_PER_USER open streams per user.",
    access: leadsAndClients,
    responses: {
      200: {
        description: "An event stream",
        content: {
          "text/event-stream": {
            description: "`id`, `event` (`progress` or `error`) and `data` (JSON) per event",
            example: 'id: 1\nevent: progress\ndata: {"items":156,"goldItems":10}\n\n',
          },
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      rate_limited: "At most 5 open event streams per user; close some and try again",
    },
  },
  {
    method: "post",
    path: "/projects/:id/publish-consensus",
    operationId: "publishConsensus",
    tag: "Adjudication",
    summary: "Publish every consensus item",
    description:
      "Each consensus item's label becomes its next version, 100 items per transaction; an item whose room draft differs from the consensus, whose consensus changed or no longer validates, or that another publish got to first is skipped with the reason.",
    access: leads,
    body: { schema: publishConsensusInputSchema, example: {} },
    responses: {
      200: {
        description: "How many were published, and those skipped",
        schema: bodies.consensusPublicationSchema,
        example: { published: 28, skipped: [{ itemId: 44, reason: "the room's draft differs" }] },
      },
    },
    errors: { forbidden: "You do not have permission to do this", not_found: "No such project" },
  },

  // Labeling
  {
    method: "get",
    path: "/queue/next",
    operationId: "nextAssignment",
    tag: "Labeling",
    summary: "The caller's next item",
    description:
      "The one GET that changes state: it reserves an item, as a client asking for work means to. `{ assignment: null, item: null }` when there is none.",
    access: annotators,
    query: queueQuerySchema,
    responses: {
      200: {
        description: "The reserved item, or nulls",
        schema: bodies.queueNextSchema,
        example: {
          ...itemViewExample,
          assignment: { id: 300, itemId: 42, status: "reserved", expiresAt: later },
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      bad_request: "The query parameters are not valid",
    },
  },
  {
    method: "get",
    path: "/items/:id",
    operationId: "getItem",
    tag: "Items",
    summary: "An item",
    description: "Only what the caller may see.",
    access: "Members of the item's project (annotators: items assigned to them)",
    responses: {
      200: {
        description: "The item with what the caller may see of its labels",
        schema: bodies.itemViewSchema,
        example: itemViewExample,
      },
    },
    errors: { not_found: "No such item" },
  },
  {
    method: "post",
    path: "/items/:id/annotations",
    operationId: "submitAnnotation",
    tag: "Labeling",
    summary: "Submit the caller's label",
    description:
      "Validated against the template and the item's responses (422 with the fields in error); spans are quoted and checked. The same label sent again (a retry after a lost answer) answers 200 with the annotation stored the first time; a different one is a conflict.",
    access: annotators,
    body: {
      schema: annotationInputSchema,
      example: { label: { helpfulness: 4 }, durationMs: 60000 },
    },
    responses: {
      200: {
        description: "The same label sent again: the annotation stored the first time",
        schema: z.object({ annotation: bodies.submittedAnnotationSchema }),
        example: { annotation: submittedAnnotationExample },
      },
      201: {
        description: "The stored annotation",
        schema: z.object({ annotation: bodies.submittedAnnotationSchema }),
        example: { annotation: submittedAnnotationExample },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such item",
      conflict: "You have already labelled this item",
    },
  },
  {
    method: "put",
    path: "/items/:id/annotations/mine",
    operationId: "reviseAnnotation",
    tag: "Labeling",
    summary: "Change the caller's last label while its item waits",
    access: annotators,
    body: { schema: revisionInputSchema, example: { label: { helpfulness: 3 } } },
    responses: {
      200: {
        description: "The revised annotation",
        schema: z.object({ annotation: bodies.revisedAnnotationSchema }),
        example: {
          annotation: { id: 77, itemId: 42, label: { helpfulness: 3 }, submittedAt: later },
        },
      },
    },
    errors: {
      not_found: "No such item",
      conflict: "The item has all its labels now: yours can no longer change",
    },
  },
  {
    method: "post",
    path: "/items/:id/skip",
    operationId: "skipItem",
    tag: "Labeling",
    summary: "Skip the item the caller holds",
    description: "The caller is never offered the item again.",
    access: annotators,
    body: { schema: skipInputSchema, example: { reason: "Outside my expertise" } },
    responses: { 204: noContent },
    errors: { not_found: "No such item", conflict: "You do not hold this item" },
  },
  {
    method: "post",
    path: "/items/:id/heartbeat",
    operationId: "itemHeartbeat",
    tag: "Labeling",
    summary: "The caller is at work on the item they hold",
    description: "For measured working time; the pages send these at most every 15 s.",
    access: annotators,
    responses: { 204: noContent },
    errors: { not_found: "No such item", conflict: "You do not hold this item" },
  },
  {
    method: "put",
    path: "/items/:id/draft",
    operationId: "saveDraft",
    tag: "Labeling",
    summary: "Save work in progress",
    access: "The annotator who holds the item",
    body: { schema: draftInputSchema, example: { label: { helpfulness: 4 }, elapsedMs: 30000 } },
    responses: {
      200: {
        description: "When it was saved",
        schema: z.object({ savedAt: z.iso.datetime() }),
        example: { savedAt: later },
      },
    },
    errors: { not_found: "No such item", conflict: "You do not hold this item" },
  },
  {
    method: "get",
    path: "/projects/:id/queue/mine",
    operationId: "getLabelingStatus",
    tag: "Labeling",
    summary: "The caller's progress and queue state",
    access: annotators,
    responses: {
      200: {
        description: "The caller's labels today and in all, and items open to them",
        schema: z.object({ status: bodies.labelingStatusSchema }),
        example: {
          status: { state: "available", doneToday: 12, doneTotal: 40, remaining: 80, waiting: 2 },
        },
      },
    },
    errors: { forbidden: "Not an annotator or lead of the project", not_found: "No such project" },
  },
  {
    method: "get",
    path: "/projects/:id/guidelines",
    operationId: "getGuidelines",
    tag: "Guidelines",
    summary: "The project's guidelines",
    description: "The latest version, or `?version=`; null if there are none.",
    access: members,
    query: guidelinesQuerySchema,
    responses: {
      200: {
        description: "The guidelines (markdown)",
        schema: z.object({ guidelines: bodies.guidelinesSchema.nullable() }),
        example: { guidelines: guidelinesExample },
      },
    },
    errors: {
      not_found: "No version 9 of the guidelines",
      bad_request: {
        message: "The query parameters are not valid",
        details: [{ field: "version", message: "Too small: expected number to be >0" }],
      },
    },
  },
  {
    method: "get",
    path: "/projects/:id/guidelines/versions",
    operationId: "listGuidelineVersions",
    tag: "Guidelines",
    summary: "The guidelines' history",
    access: members,
    responses: {
      200: {
        description: "Every version, newest first, without bodies",
        schema: z.object({ versions: z.array(bodies.guidelinesVersionSchema) }),
        example: {
          versions: [{ version: 2, createdAt: at, createdBy: { id: 2, name: "Lead" }, length: 64 }],
        },
      },
    },
    errors: { not_found: "No such project" },
  },
  {
    method: "put",
    path: "/projects/:id/guidelines",
    operationId: "saveGuidelines",
    tag: "Guidelines",
    summary: "Save the next version of the guidelines",
    access: leads,
    body: {
      schema: guidelinesInputSchema,
      example: { body: guidelinesExample.body, expectedVersion: 1 },
    },
    responses: {
      201: {
        description: "The new version",
        schema: z.object({ guidelines: bodies.guidelinesSchema }),
        example: { guidelines: guidelinesExample },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      conflict: "The guidelines changed since version 1: reload them and edit again",
    },
  },
  {
    method: "post",
    path: "/items/:id/flags",
    operationId: "flagItem",
    tag: "Guidelines",
    summary: "Flag the item the caller holds for a lead",
    description: "Their reservation ends as with a skip; their draft stays.",
    access: annotators,
    body: { schema: flagInputSchema, example: { note: "Response b is cut off" } },
    responses: {
      201: {
        description: "The flag",
        schema: z.object({ flag: bodies.flagSchema }),
        example: { flag: flagExample },
      },
    },
    errors: {
      not_found: "No such item",
      conflict: "You do not hold this item: only the item you are labelling can be flagged",
    },
  },
  {
    method: "get",
    path: "/projects/:id/flags",
    operationId: "listFlags",
    tag: "Guidelines",
    summary: "Flags and skip reasons, newest first",
    access: leads,
    query: flagListQuerySchema,
    responses: {
      200: {
        description: "Flags (open ones by default) and skip reasons",
        schema: z.object({ flags: z.array(bodies.flagSchema), skips: z.array(bodies.skipSchema) }),
        example: {
          flags: [flagExample],
          skips: [
            {
              item: { id: 43, externalId: "q-0002" },
              reason: "Outside my expertise",
              skippedAt: at,
              skippedBy: { id: 3, name: "Expert One", email: "expert1@example.org" },
            },
          ],
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      bad_request: "The query parameters are not valid",
    },
  },
  {
    method: "post",
    path: "/flags/:id/release",
    operationId: "releaseFlag",
    tag: "Guidelines",
    summary: "Give the flagged item back to the queue",
    access: leads,
    responses: {
      200: {
        description: "The decided flag",
        schema: z.object({ flag: bodies.flagSchema }),
        example: {
          flag: {
            ...flagExample,
            status: "released",
            resolvedAt: later,
            resolvedBy: { id: 2, name: "Lead", email: "lead@example.org" },
          },
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such flag",
      conflict: "This flag has already been dealt with",
    },
  },
  {
    method: "post",
    path: "/flags/:id/reassign",
    operationId: "reassignFlag",
    tag: "Guidelines",
    summary: "Reserve the flagged item for another annotator",
    access: leads,
    body: { schema: reassignInputSchema, example: { email: "expert2@example.org" } },
    responses: {
      200: {
        description: "The decided flag",
        schema: z.object({ flag: bodies.flagSchema }),
        example: {
          flag: {
            ...flagExample,
            status: "reassigned",
            resolvedAt: later,
            resolvedBy: { id: 2, name: "Lead", email: "lead@example.org" },
            reassignedTo: { id: 4, name: "Expert Two", email: "expert2@example.org" },
          },
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such flag",
      conflict: "That person has labelled this item already",
    },
  },

  // Review
  {
    method: "post",
    path: "/reviews/:id",
    operationId: "decideReview",
    tag: "Review",
    summary: "The lead's verdict on a junior's annotation",
    description:
      "`accept`, `correct` (with `correctedLabel`) or `reject`. A rejected annotation stops counting and its item goes back to the queue.",
    access: leads,
    body: {
      schema: reviewDecisionSchema,
      example: {
        verdict: "correct",
        correctedLabel: { helpfulness: 2 },
        comments: [{ fieldId: "helpfulness", text: "Response a misses the interaction" }],
      },
    },
    responses: {
      200: {
        description: "The decided review",
        schema: z.object({ review: bodies.reviewDecidedSchema }),
        example: { review: { id: 9, verdict: "corrected" } },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such review",
      conflict: "This review was already decided (accepted)",
    },
  },
  {
    method: "post",
    path: "/reviews/:id/heartbeat",
    operationId: "reviewHeartbeat",
    tag: "Review",
    summary: "The lead is at work on a pending review",
    access: leads,
    responses: { 204: noContent },
    errors: { not_found: "No such review", conflict: "This review was already decided" },
  },

  // Adjudication
  {
    method: "get",
    path: "/items/:id/adjudication",
    operationId: "getAdjudication",
    tag: "Adjudication",
    summary: "The item's panel, publish rule, versions and approvals",
    access: "Leads, clients, admins and the item's panel",
    responses: {
      200: {
        description: "The adjudication and what the caller may do",
        schema: z.object({ adjudication: bodies.adjudicationSchema }),
        example: {
          adjudication: {
            itemId: 42,
            status: "adjudicating",
            publishRule: { kind: "lead" },
            latestVersion: null,
            draftVersion: 1,
            panel: [{ memberId: "p3", name: "Expert One", source: "annotator", own: false }],
            approvals: [],
            may: { publish: true, approve: false, reopen: false, managePanel: true },
          },
        },
      },
    },
    errors: { not_found: "No such item" },
  },
  {
    method: "post",
    path: "/items/:id/panel",
    operationId: "addPanelMember",
    tag: "Adjudication",
    summary: "Add an annotator or lead of the project to the item's panel",
    access: leads,
    body: { schema: addPanelMemberSchema, example: { email: "expert2@example.org" } },
    responses: {
      201: {
        description: "The panel",
        schema: z.object({ panel: z.array(bodies.panelMemberSchema) }),
        example: {
          panel: [
            { userId: 3, name: "Expert One", source: "annotator" },
            { userId: 4, name: "Expert Two", source: "invited" },
          ],
        },
      },
    },
    errors: {
      forbidden: "Only a lead of this project may add panel members",
      not_found: "No such item",
      conflict: "A panel sits on disputed, adjudicating or published items; this one is queued",
    },
  },
  {
    method: "post",
    path: "/items/:id/approve",
    operationId: "approveDraft",
    tag: "Adjudication",
    summary: "A panel member approves the current draft",
    description: "For a quorum publish rule.",
    access: "The item's panel",
    responses: {
      201: {
        description: "The approvals of the draft version",
        schema: z.object({ approval: bodies.approvalSchema }),
        example: { approval: { version: 1, required: 2, approvals: ["p3"] } },
      },
    },
    errors: {
      forbidden: "Only members of this item's panel may approve its draft",
      not_found: "No such item",
      conflict: "This item is already published; reopen it to publish a new version",
    },
  },
  {
    method: "post",
    path: "/items/:id/publish",
    operationId: "publishItem",
    tag: "Adjudication",
    summary: "Publish the room's draft as the next immutable version",
    access: "Leads; under a quorum rule, the item's panel once enough have approved",
    body: {
      schema: publishInputSchema,
      example: { expectedVersion: 1, rationale: "Response a names the interaction" },
    },
    responses: {
      201: {
        description: "The published version",
        schema: bodies.publishedSchema,
        example: { version: 1, label: { helpfulness: 4 } },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such item",
      conflict: "Version 1 cannot be published: the next version is 2",
    },
  },
  {
    method: "post",
    path: "/items/:id/reopen",
    operationId: "reopenItem",
    tag: "Adjudication",
    summary: "Send a published item back to adjudication",
    description: "The next publish creates version n+1.",
    access: leads,
    responses: {
      200: {
        description: "The item's new state",
        schema: bodies.reopenedSchema,
        example: { status: "adjudicating", draftVersion: 2 },
      },
    },
    errors: {
      forbidden: "Only a lead of this project may reopen",
      not_found: "No such item",
      conflict: "Only a published item can be reopened",
    },
  },
  {
    method: "get",
    path: "/projects/:id/adjudication",
    operationId: "listAdjudicationQueue",
    tag: "Adjudication",
    summary: "The project's items waiting for adjudication, oldest wait first",
    description:
      "Leads and admins see every disputed or adjudicating item; an annotator sees the items whose panel they sit on.",
    access: "Leads and annotators of the project, and admins (not clients)",
    query: adjudicationQueueQuerySchema,
    responses: {
      200: {
        description: "A page of the queue and its length",
        schema: bodies.adjudicationQueueSchema,
        example: {
          items: [
            {
              id: 42,
              externalId: "q-0001",
              status: "disputed",
              disputedFields: ["helpfulness"],
              disputedAt: at,
              reopened: false,
              inRoom: [{ id: 2, name: "Lead" }],
            },
          ],
          total: 1,
        },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      bad_request: "Invalid query",
    },
  },

  // Webhooks
  {
    method: "get",
    path: "/projects/:id/webhooks",
    operationId: "listWebhooks",
    tag: "Webhooks",
    summary: "The project's webhook endpoints",
    access: leads,
    responses: {
      200: {
        description: "The endpoints, without their secrets",
        schema: z.object({ webhooks: z.array(bodies.webhookSchema) }),
        example: { webhooks: [webhookExample] },
      },
    },
    errors: { forbidden: "You do not have permission to do this", not_found: "No such project" },
  },
  {
    method: "post",
    path: "/projects/:id/webhooks",
    operationId: "createWebhook",
    tag: "Webhooks",
    summary: "Register a webhook endpoint",
    description:
      "It receives the subscribed events from now on, signed per the Standard Webhooks spec with the secret shown only in this answer. Loopback and private addresses are refused unless an admin allows them. A project has at most 20 endpoints.",
    access: leads,
    body: {
      schema: createWebhookSchema,
      example: { url: "https://pipeline.example.org/quorum", events: ["item.published"] },
    },
    responses: {
      201: {
        description: "The endpoint and its signing secret",
        schema: z.object({ webhook: bodies.createdWebhookSchema }),
        example: { webhook: { ...webhookExample, secret: "whsec_…" } },
      },
    },
    errors: {
      forbidden: "You do not have permission to do this",
      not_found: "No such project",
      conflict: "A project has at most 20 webhooks; delete one to add another",
    },
  },
  {
    method: "patch",
    path: "/webhooks/:id",
    operationId: "updateWebhook",
    tag: "Webhooks",
    summary: "Change, enable or disable a webhook endpoint",
    access: leads,
    body: { schema: updateWebhookSchema, example: { enabled: false } },
    responses: {
      200: {
        description: "The endpoint as changed",
        schema: z.object({ webhook: bodies.webhookSchema }),
        example: { webhook: { ...webhookExample, enabled: false } },
      },
    },
    errors: { not_found: "No such webhook" },
  },
  {
    method: "delete",
    path: "/webhooks/:id",
    operationId: "deleteWebhook",
    tag: "Webhooks",
    summary: "Remove a webhook endpoint",
    access: leads,
    responses: { 204: noContent },
    errors: { not_found: "No such webhook" },
  },
  {
    method: "get",
    path: "/webhooks/:id/deliveries",
    operationId: "listWebhookDeliveries",
    tag: "Webhooks",
    summary: "The delivery log of a webhook endpoint",
    description: "How many subscribed events wait, and the latest 100 attempts, newest first.",
    access: leads,
    responses: {
      200: {
        description: "The endpoint, its backlog and its attempts",
        schema: bodies.webhookDeliveriesSchema,
        example: {
          webhook: webhookExample,
          waiting: 0,
          attempts: [
            {
              id: 31,
              eventId: 118,
              eventType: "item.published",
              attempt: 1,
              statusCode: 200,
              error: null,
              durationMs: 84,
              outcome: "delivered",
              manual: false,
              at: later,
            },
          ],
        },
      },
    },
    errors: { not_found: "No such webhook" },
  },
  {
    method: "post",
    path: "/webhooks/:id/deliveries/:eventId/redeliver",
    operationId: "redeliverWebhookEvent",
    tag: "Webhooks",
    summary: "Send one of the project's events to the endpoint again, now",
    access: leads,
    responses: {
      200: {
        description: "The manual attempt",
        schema: z.object({ delivery: bodies.redeliverySchema }),
        example: {
          delivery: {
            eventId: 118,
            attempt: 2,
            delivered: true,
            statusCode: 200,
            error: null,
            durationMs: 91,
          },
        },
      },
    },
    errors: { not_found: "No such event in this webhook's project" },
  },
];
