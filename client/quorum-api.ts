/**
 * The types of Quorum's API, made by openapi-typescript from openapi.json, for openapi-fetch.
 * Do not edit: `npm run openapi` writes this file again from the server's OpenAPI document.
 */
export interface paths {
  "/openapi.json": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * This OpenAPI document
     * @description **Who may call it:** Anyone (no authentication).
     */
    get: operations["getOpenApiDocument"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/me": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The signed-in user
     * @description **Who may call it:** Any signed-in user.
     */
    get: operations["getMe"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/tokens": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The caller's API tokens
     * @description **Who may call it:** Any signed-in user.
     */
    get: operations["listTokens"];
    put?: never;
    /**
     * Create an API token
     * @description The token is shown only in this answer.
     *
     *     **Who may call it:** Any signed-in user.
     */
    post: operations["createToken"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/tokens/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke an API token
     * @description It stops working at once.
     *
     *     **Who may call it:** The token's owner.
     */
    delete: operations["revokeToken"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/users": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search the workspace's users
     * @description `q` matches name, email or domain.
     *
     *     **Who may call it:** Workspace admins (403 for everyone else, whatever the id).
     */
    get: operations["listUsers"];
    put?: never;
    /**
     * Invite a user
     * @description Creates an account without a password and its invite link, shown only here (and emailed when SMTP is configured).
     *
     *     **Who may call it:** Workspace admins (403 for everyone else, whatever the id).
     */
    post: operations["inviteUser"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/users/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A user
     * @description **Who may call it:** Workspace admins (403 for everyone else, whatever the id).
     */
    get: operations["getUser"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Edit or disable a user
     * @description `disabled: true` signs the user out everywhere at once.
     *
     *     **Who may call it:** Workspace admins (403 for everyone else, whatever the id).
     */
    patch: operations["updateUser"];
    trace?: never;
  };
  "/users/{id}/invite": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * A new invite link
     * @description For someone who has not set a password yet; their older links stop working.
     *
     *     **Who may call it:** Workspace admins (403 for everyone else, whatever the id).
     */
    post: operations["reissueInvite"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/users/{id}/password-reset": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * A password-reset link
     * @description For someone who has set a password; their older links stop working.
     *
     *     **Who may call it:** Workspace admins (403 for everyone else, whatever the id).
     */
    post: operations["issuePasswordReset"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/invites": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Invite someone new into the project
     * @description An account, its invite link and its membership in one step; only admins invite a `lead`.
     *
     *     **Who may call it:** Whoever manages the project's members (leads, admins).
     */
    post: operations["inviteProjectMember"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The caller's projects
     * @description Projects the caller belongs to (all, for admins), with the caller's role and item counts by status.
     *
     *     **Who may call it:** Any signed-in user.
     */
    get: operations["listProjects"];
    put?: never;
    /**
     * Create a project
     * @description Give a `template` or a `preset`. The creator leads the project.
     *
     *     **Who may call it:** Admins and leads of any project.
     */
    post: operations["createProject"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A project
     * @description **Who may call it:** Members of the project and admins.
     */
    get: operations["getProject"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Edit or archive a project
     * @description A template that would invalidate labels already given is refused with 409.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    patch: operations["updateProject"];
    trace?: never;
  };
  "/projects/{id}/members": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The project's members
     * @description Those who see pseudonyms get the other annotators as `{ userId: null, email: null, name: "Annotator B", level: null, … }`.
     *
     *     **Who may call it:** Members of the project and admins.
     */
    get: operations["listProjectMembers"];
    put?: never;
    /**
     * Add a member or change their role
     * @description **Who may call it:** Leads of the project and admins.
     */
    post: operations["setProjectMember"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/members/{userId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove a member
     * @description A project keeps at least one lead.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    delete: operations["removeProjectMember"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/items": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search and page the project's items
     * @description Only what the caller may see: annotators see only items they were assigned and may not filter by annotator, gold, field or dates. Pass `nextCursor` back as `cursor`.
     *
     *     **Who may call it:** Members of the project and admins.
     */
    get: operations["listItems"];
    put?: never;
    /**
     * Import items
     * @description A JSON array, NDJSON or CSV of items (`?format=label-studio` or `hh-rlhf` for those exports; the lines of a project's `jsonl` export are items too, their `label`, `source`, `version`, `rationale`, `publishedAt` and annotations' `level` ignored), up to IMPORT_MAX_BYTES, optionally gzip (`Content-Encoding: gzip`). Atomic: any invalid row is a 422 with `details: [{ row, field, message }]` and nothing is stored; idempotent on `externalId`.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    post: operations["importItems"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/progress": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The project's progress
     * @description Items by status, labels given and needed, each annotator's count and mean time, and the work's cost for those who see it.
     *
     *     **Who may call it:** Leads and clients of the project, and admins.
     */
    get: operations["getProgress"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/reviews": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The lead's queue of sampled junior annotations
     * @description **Who may call it:** Leads of the project and admins.
     */
    get: operations["listReviews"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/annotations/mine": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The caller's own annotations with review verdicts and comments
     * @description **Who may call it:** Members of the project and admins.
     */
    get: operations["listOwnAnnotations"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/quality": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Agreement, accuracy, reliability and cost
     * @description Agreement per field; each annotator's accuracy against final labels and on gold items, reliability and cost; the same by level, by domain, per field and for the project.
     *
     *     **Who may call it:** Leads and clients of the project, and admins.
     */
    get: operations["getQuality"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/export": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Export the final labels
     * @description Streamed as an attachment `<project-slug>-<format>.jsonl` (`.csv` for csv, `.json` for label-studio), read from one snapshot of the project. `format` is one of jsonl, dpo, reward, kto, openai-dpo, csv, label-studio; `field` names the preference, ranking or rating field the pair and kto formats read. dpo, reward and kto lines carry the item's `externalId`. The preference formats (dpo, reward, kto, openai-dpo) take conversations in the system, user and assistant roles only; `Quorum-Items-With-Other-Roles` counts the items they leave out. At most EXPORT_MAX_CONCURRENT_PER_USER exports run at once per user; another is answered 429 with `Retry-After`.
     *
     *     **Who may call it:** Leads and clients of the project, and admins.
     */
    get: operations["exportLabels"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/events": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The project's progress as server-sent events
     * @description `event: progress` with the body of `GET /projects/{id}/progress`, at once and whenever it changes (read every EVENTS_POLL_SECONDS); `event: error` with the error body, then the end, once the caller's session, token or membership no longer holds. At most EVENTS_MAX_STREAMS_PER_USER open streams per user.
     *
     *     **Who may call it:** Leads and clients of the project, and admins.
     */
    get: operations["streamProgressEvents"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/publish-consensus": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Publish every consensus item
     * @description Each consensus item's label becomes its next version, 100 items per transaction; an item whose room draft differs from the consensus, whose consensus changed or no longer validates, or that another publish got to first is skipped with the reason.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    post: operations["publishConsensus"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/queue/next": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The caller's next item
     * @description The one GET that changes state: it reserves an item, as a client asking for work means to. `{ assignment: null, item: null }` when there is none.
     *
     *     **Who may call it:** Annotators and leads of the project.
     */
    get: operations["nextAssignment"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An item
     * @description Only what the caller may see.
     *
     *     **Who may call it:** Members of the item's project (annotators: items assigned to them).
     */
    get: operations["getItem"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/annotations": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Submit the caller's label
     * @description Validated against the template and the item's responses (422 with the fields in error); spans are quoted and checked. The same label sent again (a retry after a lost answer) answers 200 with the annotation stored the first time; a different one is a conflict.
     *
     *     **Who may call it:** Annotators and leads of the project.
     */
    post: operations["submitAnnotation"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/annotations/mine": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Change the caller's last label while its item waits
     * @description **Who may call it:** Annotators and leads of the project.
     */
    put: operations["reviseAnnotation"];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/skip": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Skip the item the caller holds
     * @description The caller is never offered the item again.
     *
     *     **Who may call it:** Annotators and leads of the project.
     */
    post: operations["skipItem"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/heartbeat": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The caller is at work on the item they hold
     * @description For measured working time; the pages send these at most every 15 s.
     *
     *     **Who may call it:** Annotators and leads of the project.
     */
    post: operations["itemHeartbeat"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/draft": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Save work in progress
     * @description **Who may call it:** The annotator who holds the item.
     */
    put: operations["saveDraft"];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/queue/mine": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The caller's progress and queue state
     * @description **Who may call it:** Annotators and leads of the project.
     */
    get: operations["getLabelingStatus"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/guidelines": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The project's guidelines
     * @description The latest version, or `?version=`; null if there are none.
     *
     *     **Who may call it:** Members of the project and admins.
     */
    get: operations["getGuidelines"];
    /**
     * Save the next version of the guidelines
     * @description **Who may call it:** Leads of the project and admins.
     */
    put: operations["saveGuidelines"];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/guidelines/versions": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The guidelines' history
     * @description **Who may call it:** Members of the project and admins.
     */
    get: operations["listGuidelineVersions"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/flags": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Flag the item the caller holds for a lead
     * @description Their reservation ends as with a skip; their draft stays.
     *
     *     **Who may call it:** Annotators and leads of the project.
     */
    post: operations["flagItem"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/flags": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Flags and skip reasons, newest first
     * @description **Who may call it:** Leads of the project and admins.
     */
    get: operations["listFlags"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/flags/{id}/release": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Give the flagged item back to the queue
     * @description **Who may call it:** Leads of the project and admins.
     */
    post: operations["releaseFlag"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/flags/{id}/reassign": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reserve the flagged item for another annotator
     * @description **Who may call it:** Leads of the project and admins.
     */
    post: operations["reassignFlag"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/reviews/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The lead's verdict on a junior's annotation
     * @description `accept`, `correct` (with `correctedLabel`) or `reject`. A rejected annotation stops counting and its item goes back to the queue.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    post: operations["decideReview"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/reviews/{id}/heartbeat": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The lead is at work on a pending review
     * @description **Who may call it:** Leads of the project and admins.
     */
    post: operations["reviewHeartbeat"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/adjudication": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The item's panel, publish rule, versions and approvals
     * @description **Who may call it:** Leads, clients, admins and the item's panel.
     */
    get: operations["getAdjudication"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/panel": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add an annotator or lead of the project to the item's panel
     * @description **Who may call it:** Leads of the project and admins.
     */
    post: operations["addPanelMember"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/approve": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * A panel member approves the current draft
     * @description For a quorum publish rule.
     *
     *     **Who may call it:** The item's panel.
     */
    post: operations["approveDraft"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/publish": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Publish the room's draft as the next immutable version
     * @description **Who may call it:** Leads; under a quorum rule, the item's panel once enough have approved.
     */
    post: operations["publishItem"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/items/{id}/reopen": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send a published item back to adjudication
     * @description The next publish creates version n+1.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    post: operations["reopenItem"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/adjudication": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The project's items waiting for adjudication, oldest wait first
     * @description Leads and admins see every disputed or adjudicating item; an annotator sees the items whose panel they sit on.
     *
     *     **Who may call it:** Leads and annotators of the project, and admins (not clients).
     */
    get: operations["listAdjudicationQueue"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/projects/{id}/webhooks": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The project's webhook endpoints
     * @description **Who may call it:** Leads of the project and admins.
     */
    get: operations["listWebhooks"];
    put?: never;
    /**
     * Register a webhook endpoint
     * @description It receives the subscribed events from now on, signed per the Standard Webhooks spec with the secret shown only in this answer. Loopback and private addresses are refused unless an admin allows them. A project has at most 20 endpoints.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    post: operations["createWebhook"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove a webhook endpoint
     * @description **Who may call it:** Leads of the project and admins.
     */
    delete: operations["deleteWebhook"];
    options?: never;
    head?: never;
    /**
     * Change, enable or disable a webhook endpoint
     * @description **Who may call it:** Leads of the project and admins.
     */
    patch: operations["updateWebhook"];
    trace?: never;
  };
  "/webhooks/{id}/deliveries": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The delivery log of a webhook endpoint
     * @description How many subscribed events wait, and the latest 100 attempts, newest first.
     *
     *     **Who may call it:** Leads of the project and admins.
     */
    get: operations["listWebhookDeliveries"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks/{id}/deliveries/{eventId}/redeliver": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send one of the project's events to the endpoint again, now
     * @description **Who may call it:** Leads of the project and admins.
     */
    post: operations["redeliverWebhookEvent"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** Error */
    Error: {
      error: {
        /** @enum {string} */
        code:
          | "bad_request"
          | "unauthorized"
          | "forbidden"
          | "not_found"
          | "method_not_allowed"
          | "conflict"
          | "payload_too_large"
          | "unsupported_media_type"
          | "validation_failed"
          | "rate_limited"
          | "internal"
          | "unavailable";
        message: string;
        /** @description For 422 and 400 on input: `[{ field, message }]` (`[{ row, field, message }]` for imports) */
        details?: unknown;
      };
    };
    Template: {
      fields: (
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "rating";
            min: number;
            max: number;
            /**
             * @default ordinal
             * @enum {string}
             */
            level: "ordinal" | "interval";
          }
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "preference";
            /** @default 2 */
            scale: 1 | 2;
          }
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "ranking";
          }
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "choice";
            options: string[];
            /** @default false */
            multiple: boolean;
          }
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "spans";
            categories: string[];
            /**
             * @default [
             *       "minor",
             *       "major",
             *       "critical"
             *     ]
             */
            severities: string[];
          }
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "text";
          }
        | {
            id: string;
            label: string;
            description?: string;
            /** @default false */
            required: boolean;
            /** @constant */
            type: "rewrite";
          }
      )[];
    };
    Project: {
      id: number;
      name: string;
      description: string;
      domain: string | null;
      /** @description The caller's role; null for an admin who is no member */
      role: ("lead" | "annotator" | "client") | null;
      overlap: number;
      autoPublishConsensus: boolean;
      template: components["schemas"]["Template"];
      disputePolicy: {
        [key: string]: {
          ignore?: boolean;
          spreadAtLeast?: number;
          /** @enum {string} */
          compare?: "direction" | "value";
          minShare?: number;
          minF1?: number;
          /** @enum {string} */
          spanMatch?: "exact" | "overlap";
          minKendallTau?: number;
        };
      };
      archived: boolean;
      /** Format: date-time */
      createdAt: string;
      /** @description Items by status; empty for annotators, whom any count by status would tell gold items and hidden outcomes apart */
      itemCounts: {
        [key: string]: number;
      };
    };
    User: {
      id: number;
      email: string;
      name: string;
      isAdmin: boolean;
      level: ("junior" | "expert") | null;
      domains: string[];
      hourlyRate: number | null;
      /** Format: date-time */
      createdAt: string;
    };
    ManagedUser: {
      id: number;
      email: string;
      name: string;
      isAdmin: boolean;
      level: ("junior" | "expert") | null;
      domains: string[];
      hourlyRate: number | null;
      /** Format: date-time */
      createdAt: string;
      disabled: boolean;
      disabledAt: string | null;
      lastSeenAt: string | null;
      passwordSet: boolean;
      pendingInvite: {
        /** Format: date-time */
        expiresAt: string;
      } | null;
    };
    IssuedLink: {
      url: string;
      /** @enum {string} */
      purpose: "invite" | "password_reset";
      /** Format: date-time */
      expiresAt: string;
      /** @enum {string} */
      email: "sent" | "not_configured" | "failed";
    };
    Member: {
      /** @description null for another annotator shown under a pseudonym */
      userId: number | null;
      email: string | null;
      name: string;
      /** @enum {string} */
      role: "lead" | "annotator" | "client";
      level: ("junior" | "expert") | null;
      domains: string[];
    };
    ItemView: {
      item: {
        id: number;
        projectId: number;
        externalId: string | null;
        prompt:
          | string
          | {
              role: string;
              content: string;
            }[];
        responses: {
          id: string;
          model?: string;
          text: string;
        }[];
        domain: string | null;
        template: components["schemas"]["Template"];
        /**
         * @description Shown once the item is revealed to the caller
         * @enum {string}
         */
        status?: "queued" | "annotating" | "consensus" | "disputed" | "adjudicating" | "published";
        metadata?: unknown;
        /** @description Not shown to annotators */
        gold?: {
          /** @description `{ [fieldId]: value }` */
          label: {
            [key: string]: unknown;
          };
        } | null;
      } & {
        [key: string]: unknown;
      };
      assignment:
        | ({
            /** @enum {string} */
            status: "reserved" | "submitted" | "skipped" | "expired";
          } & {
            [key: string]: unknown;
          })
        | null;
      draft: unknown | null;
      annotations: {
        id: number;
        annotator: {
          id: number | null;
          name: string;
          own: boolean;
        };
        label: unknown;
        durationMs: number | null;
        activeMs: number | null;
        /** Format: date-time */
        submittedAt: string;
        /** @enum {string} */
        source: "quorum" | "import";
        rejected: boolean;
      }[];
      outcome: {
        disputed: boolean;
        fields: unknown;
        aggregatedLabel: unknown;
        /** Format: date-time */
        checkedAt: string;
      } | null;
      versions: ({
        version: number;
        label: unknown;
        rationale: string | null;
        /** Format: date-time */
        publishedAt: string;
      } & {
        [key: string]: unknown;
      })[];
    };
    Progress: {
      items: number;
      goldItems: number;
      byStatus: {
        [key: string]: number;
      };
      done: number;
      labels: {
        given: number;
        needed: number;
      };
      annotators: {
        id: number | null;
        name: string;
        level: ("junior" | "expert") | null;
        labels: number;
        goldAnswers: number;
        meanDurationMs: number | null;
        meanGoldDurationMs: number | null;
      }[];
      /** @description For those who see the project's costs */
      costCents?: {
        value: number | null;
        reason: string | null;
      };
      /** @description A figure, or null with the reason it is undefined */
      costPerPublishedItemCents?: {
        value: number | null;
        reason: string | null;
      };
    };
    Quality: {
      projectId: number;
      pseudonymised: boolean;
      costsShown: boolean;
      fields: {
        id: string;
        label: string;
        type: string;
      }[];
      goldAccuracy: unknown[];
      juniorReviews: unknown[];
      agreement: unknown[];
      annotators: unknown[];
      groups: unknown;
      project: unknown;
      fieldQuality: unknown[];
      /** @description The last 30 UTC days, oldest first: each item counts on the day its latest label was submitted; Krippendorff's alpha per field and accuracy against the final label of those items */
      overTime: {
        /** @description A UTC day, YYYY-MM-DD */
        day: string;
        /** @description Items (not gold) whose latest label was submitted then */
        items: number;
        alpha: {
          value: number | null;
          reason: string | null;
          fieldId: string;
        }[];
        accuracyVsFinal: {
          value: number | null;
          reason: string | null;
          correct: number;
          scored: number;
        };
      }[];
    } & {
      [key: string]: unknown;
    };
    Guidelines: {
      version: number;
      /** Format: date-time */
      createdAt: string;
      createdBy: {
        id: number;
        name: string;
      } | null;
      body: string;
    };
    Flag: {
      id: number;
      item: {
        id: number;
        externalId: string | null;
      };
      note: string;
      /** Format: date-time */
      createdAt: string;
      flaggedBy: {
        id: number;
        name: string;
        email: string;
      };
      /** @enum {string} */
      status: "open" | "released" | "reassigned";
      resolvedAt: string | null;
      resolvedBy: {
        id: number;
        name: string;
        email: string;
      } | null;
      reassignedTo: {
        id: number;
        name: string;
        email: string;
      } | null;
    };
    Review: {
      id: number;
      /** @enum {string} */
      verdict: "pending" | "accepted" | "corrected" | "rejected";
      comments: {
        fieldId?: string;
        span?: {
          responseId: string;
          start: number;
          end: number;
          text?: string;
        };
        text: string;
      }[];
      correctedLabel: unknown | null;
      /** Format: date-time */
      createdAt: string;
      decidedAt: string | null;
      annotation: {
        id: number;
        label: unknown;
        /** Format: date-time */
        submittedAt: string;
      };
      annotator: {
        id: number;
        name: string;
      };
      item: {
        id: number;
        externalId: string | null;
      };
    };
    Adjudication: {
      itemId: number;
      /** @enum {string} */
      status: "queued" | "annotating" | "consensus" | "disputed" | "adjudicating" | "published";
      publishRule:
        | {
            /** @constant */
            kind: "lead";
          }
        | {
            /** @constant */
            kind: "quorum";
            approvals: number;
          };
      latestVersion: number | null;
      draftVersion: number | null;
      panel: {
        /** @description The participant key the room names the member by */
        memberId: string;
        name: string;
        /** @enum {string} */
        source: "annotator" | "invited";
        own: boolean;
      }[];
      approvals: string[];
      may: {
        publish: boolean;
        approve: boolean;
        reopen: boolean;
        managePanel: boolean;
      };
    };
  };
  responses: {
    /** @description No, invalid or revoked credentials */
    Unauthorized: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": {
         *         "code": "unauthorized",
         *         "message": "Authentication required"
         *       }
         *     }
         */
        "application/json": components["schemas"]["Error"];
      };
    };
    /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
    CrossOrigin: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": {
         *         "code": "forbidden",
         *         "message": "Cross-origin request refused"
         *       }
         *     }
         */
        "application/json": components["schemas"]["Error"];
      };
    };
    /** @description The body is over the limit */
    PayloadTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": {
         *         "code": "payload_too_large",
         *         "message": "The request body is larger than the limit of 1048576 bytes"
         *       }
         *     }
         */
        "application/json": components["schemas"]["Error"];
      };
    };
    /** @description The body is not JSON */
    UnsupportedMediaType: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": {
         *         "code": "unsupported_media_type",
         *         "message": "Content-Type must be application/json, not text/plain"
         *       }
         *     }
         */
        "application/json": components["schemas"]["Error"];
      };
    };
    /** @description A fault of the server */
    Internal: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": {
         *         "code": "internal",
         *         "message": "Something went wrong on our side"
         *       }
         *     }
         */
        "application/json": components["schemas"]["Error"];
      };
    };
    /** @description The database cannot be reached; try again after `Retry-After` seconds */
    Unavailable: {
      headers: {
        /** @description Seconds to wait before trying again */
        "Retry-After"?: number;
        [name: string]: unknown;
      };
      content: {
        /**
         * @example {
         *       "error": {
         *         "code": "unavailable",
         *         "message": "The database is unavailable; try again shortly"
         *       }
         *     }
         */
        "application/json": components["schemas"]["Error"];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getOpenApiDocument: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The OpenAPI 3.1 document of /api/v1 */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "openapi": "3.1.0",
           *       "info": {
           *         "title": "Quorum API",
           *         "version": "0.1.0"
           *       }
           *     }
           */
          "application/json": {
            [key: string]: unknown;
          };
        };
      };
    };
  };
  getMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The caller */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "user": {
           *         "id": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "isAdmin": false,
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ],
           *         "hourlyRate": 60,
           *         "createdAt": "2026-03-02T09:30:00.000Z"
           *       }
           *     }
           */
          "application/json": {
            user: components["schemas"]["User"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query string contains text that cannot be accepted"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listTokens: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every token of the caller, revoked ones included; never the secrets */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "tokens": [
           *         {
           *           "id": 4,
           *           "name": "pipeline",
           *           "prefix": "qt_8f2a",
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "lastUsedAt": "2026-03-02T10:05:00.000Z",
           *           "revokedAt": null
           *         }
           *       ]
           *     }
           */
          "application/json": {
            tokens: {
              id: number;
              name: string;
              prefix: string;
              /** Format: date-time */
              createdAt: string;
              lastUsedAt: string | null;
              revokedAt: string | null;
            }[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query string contains text that cannot be accepted"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  createToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "name": "pipeline"
         *     }
         */
        "application/json": {
          name: string;
        };
      };
    };
    responses: {
      /** @description The new token */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": 4,
           *       "name": "pipeline",
           *       "prefix": "qt_8f2a",
           *       "token": "qt_8f2a…",
           *       "createdAt": "2026-03-02T09:30:00.000Z"
           *     }
           */
          "application/json": {
            id: number;
            name: string;
            prefix: string;
            /** @description The secret, shown only in this answer */
            token: string;
            /** Format: date-time */
            createdAt: string;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  revokeToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Done; no body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Token id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such token"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listUsers: {
    parameters: {
      query?: {
        q?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The matching users by name */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "users": [
           *         {
           *           "id": 3,
           *           "email": "expert1@example.org",
           *           "name": "Expert One",
           *           "isAdmin": false,
           *           "level": "expert",
           *           "domains": [
           *             "medical"
           *           ],
           *           "hourlyRate": 60,
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "disabled": false,
           *           "disabledAt": null,
           *           "lastSeenAt": "2026-03-02T10:05:00.000Z",
           *           "passwordSet": false,
           *           "pendingInvite": {
           *             "expiresAt": "2026-03-09T09:30:00.000Z"
           *           }
           *         }
           *       ]
           *     }
           */
          "application/json": {
            users: components["schemas"]["ManagedUser"][];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "q must be a single string of at most 200 characters"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only workspace admins may manage users"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  inviteUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "email": "expert1@example.org",
         *       "name": "Expert One",
         *       "level": "expert"
         *     }
         */
        "application/json": {
          /**
           * Format: email
           * @description Surrounding spaces are ignored, and so is case.
           */
          email: string;
          name: string;
          /** @default false */
          isAdmin?: boolean;
          /** @default null */
          level?: ("junior" | "expert") | null;
          domains?: string[];
          /** @default null */
          hourlyRate?: number | null;
        };
      };
    };
    responses: {
      /** @description The account and its invite link */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "user": {
           *         "id": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "isAdmin": false,
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ],
           *         "hourlyRate": 60,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "disabled": false,
           *         "disabledAt": null,
           *         "lastSeenAt": "2026-03-02T10:05:00.000Z",
           *         "passwordSet": false,
           *         "pendingInvite": {
           *           "expiresAt": "2026-03-09T09:30:00.000Z"
           *         }
           *       },
           *       "link": {
           *         "url": "https://quorum.example.org/invite/qi_3Xz…",
           *         "purpose": "invite",
           *         "expiresAt": "2026-03-09T09:30:00.000Z",
           *         "email": "sent"
           *       }
           *     }
           */
          "application/json": {
            user: components["schemas"]["ManagedUser"];
            link: components["schemas"]["IssuedLink"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only workspace admins may manage users"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "A user with this email already exists"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "user": {
           *         "id": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "isAdmin": false,
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ],
           *         "hourlyRate": 60,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "disabled": false,
           *         "disabledAt": null,
           *         "lastSeenAt": "2026-03-02T10:05:00.000Z",
           *         "passwordSet": false,
           *         "pendingInvite": {
           *           "expiresAt": "2026-03-09T09:30:00.000Z"
           *         }
           *       }
           *     }
           */
          "application/json": {
            user: components["schemas"]["ManagedUser"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "User id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only workspace admins may manage users"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such user"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  updateUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "level": "expert",
         *       "hourlyRate": 65
         *     }
         */
        "application/json": {
          name?: string;
          isAdmin?: boolean;
          level?: ("junior" | "expert") | null;
          domains?: string[];
          hourlyRate?: number | null;
          disabled?: boolean;
        };
      };
    };
    responses: {
      /** @description The user as changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "user": {
           *         "id": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "isAdmin": false,
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ],
           *         "hourlyRate": 65,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "disabled": false,
           *         "disabledAt": null,
           *         "lastSeenAt": "2026-03-02T10:05:00.000Z",
           *         "passwordSet": false,
           *         "pendingInvite": {
           *           "expiresAt": "2026-03-09T09:30:00.000Z"
           *         }
           *       }
           *     }
           */
          "application/json": {
            user: components["schemas"]["ManagedUser"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only workspace admins may manage users"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such user"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "You cannot disable yourself"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  reissueInvite: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user and the new link */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "user": {
           *         "id": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "isAdmin": false,
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ],
           *         "hourlyRate": 60,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "disabled": false,
           *         "disabledAt": null,
           *         "lastSeenAt": "2026-03-02T10:05:00.000Z",
           *         "passwordSet": false,
           *         "pendingInvite": {
           *           "expiresAt": "2026-03-09T09:30:00.000Z"
           *         }
           *       },
           *       "link": {
           *         "url": "https://quorum.example.org/invite/qi_3Xz…",
           *         "purpose": "invite",
           *         "expiresAt": "2026-03-09T09:30:00.000Z",
           *         "email": "sent"
           *       }
           *     }
           */
          "application/json": {
            user: components["schemas"]["ManagedUser"];
            link: components["schemas"]["IssuedLink"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "User id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only workspace admins may manage users"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such user"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "This user is disabled"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  issuePasswordReset: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user and the reset link */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "user": {
           *         "id": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "isAdmin": false,
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ],
           *         "hourlyRate": 60,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "disabled": false,
           *         "disabledAt": null,
           *         "lastSeenAt": "2026-03-02T10:05:00.000Z",
           *         "passwordSet": true,
           *         "pendingInvite": null
           *       },
           *       "link": {
           *         "url": "https://quorum.example.org/invite/qi_3Xz…",
           *         "purpose": "password_reset",
           *         "expiresAt": "2026-03-09T09:30:00.000Z",
           *         "email": "sent"
           *       }
           *     }
           */
          "application/json": {
            user: components["schemas"]["ManagedUser"];
            link: components["schemas"]["IssuedLink"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "User id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only workspace admins may manage users"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such user"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "This user is disabled"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  inviteProjectMember: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "email": "expert1@example.org",
         *       "name": "Expert One",
         *       "role": "annotator"
         *     }
         */
        "application/json": {
          /**
           * Format: email
           * @description Surrounding spaces are ignored, and so is case.
           */
          email: string;
          name: string;
          /** @enum {string} */
          role: "lead" | "annotator" | "client";
          /** @default null */
          level?: ("junior" | "expert") | null;
          domains?: string[];
        };
      };
    };
    responses: {
      /** @description The membership and the invite link */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "member": {
           *         "userId": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "role": "annotator",
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ]
           *       },
           *       "link": {
           *         "url": "https://quorum.example.org/invite/qi_3Xz…",
           *         "purpose": "invite",
           *         "expiresAt": "2026-03-09T09:30:00.000Z",
           *         "email": "sent"
           *       }
           *     }
           */
          "application/json": {
            member: components["schemas"]["Member"];
            link: components["schemas"]["IssuedLink"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only admins may invite a lead"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "Not found"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "A user with this email already exists"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listProjects: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The projects */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "projects": [
           *         {
           *           "id": 7,
           *           "name": "Clinical answers",
           *           "description": "",
           *           "domain": "medical",
           *           "role": "lead",
           *           "overlap": 3,
           *           "autoPublishConsensus": false,
           *           "template": {
           *             "fields": [
           *               {
           *                 "id": "helpfulness",
           *                 "label": "Helpfulness",
           *                 "type": "rating",
           *                 "min": 1,
           *                 "max": 5,
           *                 "required": true,
           *                 "level": "ordinal"
           *               }
           *             ]
           *           },
           *           "disputePolicy": {},
           *           "archived": false,
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "itemCounts": {
           *             "queued": 120,
           *             "annotating": 4,
           *             "consensus": 30,
           *             "disputed": 2
           *           }
           *         }
           *       ]
           *     }
           */
          "application/json": {
            projects: components["schemas"]["Project"][];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query string contains text that cannot be accepted"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  createProject: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "name": "Clinical answers",
         *       "domain": "medical",
         *       "template": {
         *         "fields": [
         *           {
         *             "id": "helpfulness",
         *             "label": "Helpfulness",
         *             "type": "rating",
         *             "min": 1,
         *             "max": 5,
         *             "required": true,
         *             "level": "ordinal"
         *           }
         *         ]
         *       }
         *     }
         */
        "application/json": {
          name: string;
          /** @default  */
          description?: string;
          domain?: string | null;
          template?: {
            fields: (
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "rating";
                  min: number;
                  max: number;
                  /**
                   * @default ordinal
                   * @enum {string}
                   */
                  level?: "ordinal" | "interval";
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "preference";
                  /** @default 2 */
                  scale?: 1 | 2;
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "ranking";
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "choice";
                  options: string[];
                  /** @default false */
                  multiple?: boolean;
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "spans";
                  categories: string[];
                  /**
                   * @default [
                   *       "minor",
                   *       "major",
                   *       "critical"
                   *     ]
                   */
                  severities?: string[];
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "text";
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "rewrite";
                }
            )[];
          };
          preset?: string;
          /** @default 3 */
          overlap?: number;
          /** @default {} */
          disputePolicy?: {
            [key: string]: {
              ignore?: boolean;
              spreadAtLeast?: number;
              /** @enum {string} */
              compare?: "direction" | "value";
              minShare?: number;
              minF1?: number;
              /** @enum {string} */
              spanMatch?: "exact" | "overlap";
              minKendallTau?: number;
            };
          };
          /** @default false */
          autoPublishConsensus?: boolean;
          /**
           * @default {
           *       "reservationMinutes": 30,
           *       "requireExpert": false,
           *       "goldRate": 0.1,
           *       "goldRatingTolerance": 1,
           *       "juniorReview": {
           *         "firstN": 20,
           *         "rate": 0.2
           *       },
           *       "pseudonymiseForClients": true,
           *       "showCostsToClients": false,
           *       "publishRule": {
           *         "kind": "lead"
           *       }
           *     }
           */
          settings?: {
            /** @default 30 */
            reservationMinutes?: number;
            /** @default false */
            requireExpert?: boolean;
            /** @default 0.1 */
            goldRate?: number;
            /** @default 1 */
            goldRatingTolerance?: number;
            /**
             * @default {
             *       "firstN": 20,
             *       "rate": 0.2
             *     }
             */
            juniorReview?: {
              /** @default 20 */
              firstN?: number;
              /** @default 0.2 */
              rate?: number;
            };
            /** @default true */
            pseudonymiseForClients?: boolean;
            /** @default false */
            showCostsToClients?: boolean;
            /**
             * @default {
             *       "kind": "lead"
             *     }
             */
            publishRule?:
              | {
                  /** @constant */
                  kind: "lead";
                }
              | {
                  /** @constant */
                  kind: "quorum";
                  approvals: number;
                };
          };
        };
      };
    };
    responses: {
      /** @description The new project */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "project": {
           *         "id": 7,
           *         "name": "Clinical answers",
           *         "description": "",
           *         "domain": "medical",
           *         "role": "lead",
           *         "overlap": 3,
           *         "autoPublishConsensus": false,
           *         "template": {
           *           "fields": [
           *             {
           *               "id": "helpfulness",
           *               "label": "Helpfulness",
           *               "type": "rating",
           *               "min": 1,
           *               "max": 5,
           *               "required": true,
           *               "level": "ordinal"
           *             }
           *           ]
           *         },
           *         "disputePolicy": {},
           *         "archived": false,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "itemCounts": {}
           *       }
           *     }
           */
          "application/json": {
            project: components["schemas"]["Project"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getProject: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The project */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "project": {
           *         "id": 7,
           *         "name": "Clinical answers",
           *         "description": "",
           *         "domain": "medical",
           *         "role": "lead",
           *         "overlap": 3,
           *         "autoPublishConsensus": false,
           *         "template": {
           *           "fields": [
           *             {
           *               "id": "helpfulness",
           *               "label": "Helpfulness",
           *               "type": "rating",
           *               "min": 1,
           *               "max": 5,
           *               "required": true,
           *               "level": "ordinal"
           *             }
           *           ]
           *         },
           *         "disputePolicy": {},
           *         "archived": false,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "itemCounts": {
           *           "queued": 120,
           *           "annotating": 4,
           *           "consensus": 30,
           *           "disputed": 2
           *         }
           *       }
           *     }
           */
          "application/json": {
            project: components["schemas"]["Project"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  updateProject: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "name": "Clinical answers (v2)",
         *       "overlap": 5
         *     }
         */
        "application/json": {
          name?: string;
          description?: string;
          domain?: string | null;
          template?: {
            fields: (
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "rating";
                  min: number;
                  max: number;
                  /**
                   * @default ordinal
                   * @enum {string}
                   */
                  level?: "ordinal" | "interval";
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "preference";
                  /** @default 2 */
                  scale?: 1 | 2;
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "ranking";
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "choice";
                  options: string[];
                  /** @default false */
                  multiple?: boolean;
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "spans";
                  categories: string[];
                  /**
                   * @default [
                   *       "minor",
                   *       "major",
                   *       "critical"
                   *     ]
                   */
                  severities?: string[];
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "text";
                }
              | {
                  id: string;
                  label: string;
                  description?: string;
                  /** @default false */
                  required?: boolean;
                  /** @constant */
                  type: "rewrite";
                }
            )[];
          };
          overlap?: number;
          disputePolicy?: {
            [key: string]: {
              ignore?: boolean;
              spreadAtLeast?: number;
              /** @enum {string} */
              compare?: "direction" | "value";
              minShare?: number;
              minF1?: number;
              /** @enum {string} */
              spanMatch?: "exact" | "overlap";
              minKendallTau?: number;
            };
          };
          autoPublishConsensus?: boolean;
          settings?: {
            /** @default 30 */
            reservationMinutes?: number;
            /** @default false */
            requireExpert?: boolean;
            /** @default 0.1 */
            goldRate?: number;
            /** @default 1 */
            goldRatingTolerance?: number;
            /**
             * @default {
             *       "firstN": 20,
             *       "rate": 0.2
             *     }
             */
            juniorReview?: {
              /** @default 20 */
              firstN?: number;
              /** @default 0.2 */
              rate?: number;
            };
            /** @default true */
            pseudonymiseForClients?: boolean;
            /** @default false */
            showCostsToClients?: boolean;
            /**
             * @default {
             *       "kind": "lead"
             *     }
             */
            publishRule?:
              | {
                  /** @constant */
                  kind: "lead";
                }
              | {
                  /** @constant */
                  kind: "quorum";
                  approvals: number;
                };
          };
          archived?: boolean;
        };
      };
    };
    responses: {
      /** @description The project as changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "project": {
           *         "id": 7,
           *         "name": "Clinical answers (v2)",
           *         "description": "",
           *         "domain": "medical",
           *         "role": "lead",
           *         "overlap": 5,
           *         "autoPublishConsensus": false,
           *         "template": {
           *           "fields": [
           *             {
           *               "id": "helpfulness",
           *               "label": "Helpfulness",
           *               "type": "rating",
           *               "min": 1,
           *               "max": 5,
           *               "required": true,
           *               "level": "ordinal"
           *             }
           *           ]
           *         },
           *         "disputePolicy": {},
           *         "archived": false,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "itemCounts": {
           *           "queued": 120,
           *           "annotating": 4,
           *           "consensus": 30,
           *           "disputed": 2
           *         }
           *       }
           *     }
           */
          "application/json": {
            project: components["schemas"]["Project"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "The new template would invalidate 3 labels already given"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listProjectMembers: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The members as the caller may see them */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "members": [
           *         {
           *           "userId": 3,
           *           "email": "expert1@example.org",
           *           "name": "Expert One",
           *           "role": "annotator",
           *           "level": "expert",
           *           "domains": [
           *             "medical"
           *           ]
           *         }
           *       ]
           *     }
           */
          "application/json": {
            members: components["schemas"]["Member"][];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  setProjectMember: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "email": "expert1@example.org",
         *       "role": "annotator"
         *     }
         */
        "application/json": {
          /**
           * Format: email
           * @description Surrounding spaces are ignored, and so is case.
           */
          email: string;
          /** @enum {string} */
          role: "lead" | "annotator" | "client";
        };
      };
    };
    responses: {
      /** @description The role of an existing member was changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "member": {
           *         "userId": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "role": "annotator",
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ]
           *       }
           *     }
           */
          "application/json": {
            member: components["schemas"]["Member"];
          };
        };
      };
      /** @description The user was added */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "member": {
           *         "userId": 3,
           *         "email": "expert1@example.org",
           *         "name": "Expert One",
           *         "role": "annotator",
           *         "level": "expert",
           *         "domains": [
           *           "medical"
           *         ]
           *       }
           *     }
           */
          "application/json": {
            member: components["schemas"]["Member"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "A project keeps at least one lead"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  removeProjectMember: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
        /** @description A positive integer id */
        userId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Done; no body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "That user is not a member of this project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "A project keeps at least one lead"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listItems: {
    parameters: {
      query?: {
        q?: string;
        status?: "queued" | "annotating" | "consensus" | "disputed" | "adjudicating" | "published";
        domain?: string;
        annotator?: number;
        field?: string;
        gold?: "true" | "false";
        from?: string;
        to?: string;
        sort?: "id" | "-id" | "created" | "-created" | "updated" | "-updated";
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the matching items and how many match in all */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "items": [
           *         {
           *           "id": 42,
           *           "externalId": "q-0001",
           *           "domain": "medical",
           *           "preview": "Is ibuprofen safe with warfarin?",
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "status": "disputed",
           *           "labelCount": 3,
           *           "disputedFields": [
           *             "helpfulness"
           *           ]
           *         }
           *       ],
           *       "total": 1,
           *       "nextCursor": null
           *     }
           */
          "application/json": {
            items: ({
              id: number;
              externalId: string | null;
              domain: string | null;
              preview: string;
              createdAt: string | null;
              /** @enum {string} */
              status?:
                "queued" | "annotating" | "consensus" | "disputed" | "adjudicating" | "published";
              labelCount?: number;
              disputedFields?: string[];
            } & {
              [key: string]: unknown;
            })[];
            total: number;
            /** @description Pass it back as `cursor`: a number for the orders by id, a string for the orders by time; null on the last page */
            nextCursor: (number | string) | null;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Not available to annotators: annotator"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  importItems: {
    parameters: {
      query?: {
        /** @description The file's format when the Content-Type does not say it (e.g. `label-studio`) */
        format?: "json" | "jsonl" | "csv" | "label-studio" | "hh-rlhf";
        /** @description A JSON object from Label Studio user ids (as `completed_by` holds them), or from the names, pseudonyms or emails of a Quorum export's annotators, to Quorum emails, e.g. `{"3":"ada@lab.test"}`, URL-encoded */
        userMap?: string;
        /** @description Credit annotations whose annotator neither the file (by email) nor userMap names to the importing user, rather than refusing the file */
        assignUnmapped?: "importer";
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example [
         *       {
         *         "externalId": "q-0001",
         *         "prompt": "Is ibuprofen safe with warfarin?",
         *         "responses": [
         *           {
         *             "id": "a",
         *             "model": "model-a",
         *             "text": "No: it raises the risk of bleeding…"
         *           },
         *           {
         *             "id": "b",
         *             "model": "model-b",
         *             "text": "Yes, at normal doses."
         *           }
         *         ],
         *         "domain": "medical"
         *       }
         *     ]
         */
        "application/json": {
          externalId: string;
          prompt:
            | string
            | {
                role: string;
                content: string;
              }[];
          responses: {
            id: string;
            model?: string;
            text: string;
          }[];
          domain?: string;
          metadata?: {
            [key: string]: unknown;
          };
          gold?: {
            label: {
              [key: string]: unknown;
            };
          };
          annotations?: {
            /** Format: email */
            annotator: string;
            label: {
              [key: string]: unknown;
            };
            /** Format: date-time */
            submittedAt?: string;
            durationMs?: number;
          }[];
        }[];
        /** @example {"externalId":"q-0001","prompt":"Is ibuprofen safe with warfarin?","responses":[{"id":"a","model":"model-a","text":"No: it raises the risk of bleeding…"},{"id":"b","model":"model-b","text":"Yes, at normal doses."}],"domain":"medical"} */
        "application/x-ndjson": string;
        /**
         * @example externalId,prompt,response_a,response_b
         *     q-0001,Is ibuprofen safe?,No…,Yes…
         */
        "text/csv": string;
      };
    };
    responses: {
      /** @description Nothing new: every item was already there */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "created": 0,
           *       "unchanged": 1,
           *       "annotations": 0
           *     }
           */
          "application/json": {
            created: number;
            unchanged: number;
            annotations: number;
          };
        };
      };
      /** @description Items (or their imported labels) were stored */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "created": 1,
           *       "unchanged": 0,
           *       "annotations": 0
           *     }
           */
          "application/json": {
            created: number;
            unchanged: number;
            annotations: number;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is over the limit */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "payload_too_large",
           *         "message": "The upload is larger than the import limit of 52428800 bytes"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "unsupported_media_type",
           *         "message": "Content-Type must be one of application/json, application/x-ndjson, text/csv (or name the format with ?format=)"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "1 row is invalid; nothing was imported",
           *         "details": [
           *           {
           *             "row": 2,
           *             "field": "responses",
           *             "message": "response ids must be unique"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getProgress: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The progress */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "items": 156,
           *       "goldItems": 10,
           *       "byStatus": {
           *         "queued": 120,
           *         "annotating": 4,
           *         "consensus": 30,
           *         "disputed": 2,
           *         "adjudicating": 0,
           *         "published": 0
           *       },
           *       "done": 30,
           *       "labels": {
           *         "given": 104,
           *         "needed": 468
           *       },
           *       "annotators": [
           *         {
           *           "id": 3,
           *           "name": "Expert One",
           *           "level": "expert",
           *           "labels": 40,
           *           "goldAnswers": 4,
           *           "meanDurationMs": 61000,
           *           "meanGoldDurationMs": 55000
           *         }
           *       ],
           *       "costCents": {
           *         "value": 412000,
           *         "reason": null
           *       },
           *       "costPerPublishedItemCents": {
           *         "value": null,
           *         "reason": "no_published_items"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Progress"];
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listReviews: {
    parameters: {
      query?: {
        verdict?: "pending" | "accepted" | "corrected" | "rejected" | "all";
        cursor?: number;
        limit?: number;
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the reviews with the given verdict, oldest first; `total` counts them all, and `nextCursor` (null on the last page) is passed back as `cursor` for the next */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "reviews": [
           *         {
           *           "id": 9,
           *           "verdict": "pending",
           *           "comments": [],
           *           "correctedLabel": null,
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "decidedAt": null,
           *           "annotation": {
           *             "id": 77,
           *             "label": {
           *               "helpfulness": 2
           *             },
           *             "submittedAt": "2026-03-02T09:30:00.000Z"
           *           },
           *           "annotator": {
           *             "id": 8,
           *             "name": "Junior One"
           *           },
           *           "item": {
           *             "id": 42,
           *             "externalId": "q-0001"
           *           }
           *         }
           *       ],
           *       "total": 1,
           *       "nextCursor": null
           *     }
           */
          "application/json": {
            reviews: components["schemas"]["Review"][];
            total: number;
            nextCursor: number | null;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query parameters are not valid"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listOwnAnnotations: {
    parameters: {
      query?: {
        cursor?: number;
        limit?: number;
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the caller's annotations, newest first; `total` counts them all and `reviewed` those with a decided review, and `nextCursor` (null on the last page) is passed back as `cursor` for the next (older) page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "annotations": [
           *         {
           *           "id": 77,
           *           "item": {
           *             "id": 42,
           *             "externalId": null
           *           },
           *           "label": {
           *             "helpfulness": 2
           *           },
           *           "submittedAt": "2026-03-02T09:30:00.000Z",
           *           "durationMs": 60000,
           *           "activeMs": 58000,
           *           "review": null
           *         }
           *       ],
           *       "total": 1,
           *       "reviewed": 0,
           *       "nextCursor": null
           *     }
           */
          "application/json": {
            annotations: ({
              id: number;
              item: {
                id: number;
                externalId: string | null;
              };
              label: unknown;
              /** Format: date-time */
              submittedAt: string;
              durationMs: number | null;
              activeMs: number | null;
              review:
                | ({
                    verdict: string;
                  } & {
                    [key: string]: unknown;
                  })
                | null;
            } & {
              [key: string]: unknown;
            })[];
            total: number;
            reviewed: number;
            nextCursor: number | null;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query parameters are not valid"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getQuality: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The project's quality */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "quality": {
           *         "projectId": 7,
           *         "pseudonymised": false,
           *         "costsShown": true,
           *         "fields": [
           *           {
           *             "id": "helpfulness",
           *             "label": "Helpfulness",
           *             "type": "rating"
           *           }
           *         ],
           *         "goldAccuracy": [],
           *         "juniorReviews": [],
           *         "agreement": [],
           *         "annotators": [],
           *         "groups": null,
           *         "project": {},
           *         "fieldQuality": [],
           *         "overTime": [
           *           {
           *             "day": "2026-03-02",
           *             "items": 41,
           *             "alpha": [
           *               {
           *                 "fieldId": "helpfulness",
           *                 "value": 0.71,
           *                 "reason": null
           *               }
           *             ],
           *             "accuracyVsFinal": {
           *               "value": 0.86,
           *               "reason": null,
           *               "correct": 106,
           *               "scored": 123
           *             }
           *           },
           *           {
           *             "day": "2026-03-03",
           *             "items": 0,
           *             "alpha": [
           *               {
           *                 "fieldId": "helpfulness",
           *                 "value": null,
           *                 "reason": "no-data"
           *               }
           *             ],
           *             "accuracyVsFinal": {
           *               "value": null,
           *               "reason": "no-data",
           *               "correct": 0,
           *               "scored": 0
           *             }
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": {
            quality: components["schemas"]["Quality"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  exportLabels: {
    parameters: {
      query?: {
        format?: string;
        field?: string;
        promptStyle?: "explicit" | "implicit";
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The labels */
      200: {
        headers: {
          /** @example attachment; filename="<project-slug>-<format>.jsonl" */
          "Content-Disposition"?: string;
          /** @example 0 */
          "Quorum-Items-With-Other-Roles"?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example [
           *       {
           *         "data": {
           *           "prompt": "Is ibuprofen safe with warfarin?"
           *         },
           *         "annotations": [
           *           {
           *             "result": []
           *           }
           *         ]
           *       }
           *     ]
           */
          "application/json": {
            [key: string]: unknown;
          }[];
          /** @example {"externalId":"q-0001","label":{"helpfulness":4},"version":1} */
          "application/x-ndjson": string;
          /**
           * @example externalId,helpfulness
           *     q-0001,4
           */
          "text/csv": string;
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Unknown export format \"xml\": use one of jsonl, dpo, reward, kto, openai-dpo, csv, label-studio"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The field \"helpfulness\" is not a preference, ranking or rating field"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Too many at once; try again later */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "rate_limited",
           *         "message": "At most 2 exports at once per user; wait for one to finish and try again"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  streamProgressEvents: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description An event stream */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example id: 1
           *     event: progress
           *     data: {"items":156,"goldItems":10}
           */
          "text/event-stream": string;
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Too many at once; try again later */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "rate_limited",
           *         "message": "At most 5 open event streams per user; close some and try again"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  publishConsensus: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /** @example {} */
        "application/json": Record<string, never>;
      };
    };
    responses: {
      /** @description How many were published, and those skipped */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "published": 28,
           *       "skipped": [
           *         {
           *           "itemId": 44,
           *           "reason": "the room's draft differs"
           *         }
           *       ]
           *     }
           */
          "application/json": {
            published: number;
            skipped: {
              itemId: number;
              reason: string;
            }[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  nextAssignment: {
    parameters: {
      query: {
        project: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The reserved item, or nulls */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "item": {
           *         "id": 42,
           *         "projectId": 7,
           *         "externalId": null,
           *         "prompt": "Is ibuprofen safe with warfarin?",
           *         "responses": [
           *           {
           *             "id": "a",
           *             "model": "model-a",
           *             "text": "No: it raises the risk of bleeding…"
           *           },
           *           {
           *             "id": "b",
           *             "model": "model-b",
           *             "text": "Yes, at normal doses."
           *           }
           *         ],
           *         "domain": "medical",
           *         "template": {
           *           "fields": [
           *             {
           *               "id": "helpfulness",
           *               "label": "Helpfulness",
           *               "type": "rating",
           *               "min": 1,
           *               "max": 5,
           *               "required": true,
           *               "level": "ordinal"
           *             }
           *           ]
           *         }
           *       },
           *       "assignment": {
           *         "id": 300,
           *         "itemId": 42,
           *         "status": "reserved",
           *         "expiresAt": "2026-03-02T10:05:00.000Z"
           *       },
           *       "draft": null,
           *       "annotations": [],
           *       "outcome": null,
           *       "versions": []
           *     }
           */
          "application/json": {
            item:
              | ({
                  id: number;
                  projectId: number;
                  externalId: string | null;
                  prompt:
                    | string
                    | {
                        role: string;
                        content: string;
                      }[];
                  responses: {
                    id: string;
                    model?: string;
                    text: string;
                  }[];
                  domain: string | null;
                  template: components["schemas"]["Template"];
                  /**
                   * @description Shown once the item is revealed to the caller
                   * @enum {string}
                   */
                  status?:
                    | "queued"
                    | "annotating"
                    | "consensus"
                    | "disputed"
                    | "adjudicating"
                    | "published";
                  metadata?: unknown;
                  /** @description Not shown to annotators */
                  gold?: {
                    /** @description `{ [fieldId]: value }` */
                    label: {
                      [key: string]: unknown;
                    };
                  } | null;
                } & {
                  [key: string]: unknown;
                })
              | null;
            assignment: {
              id: number;
              itemId: number;
              /** @constant */
              status: "reserved";
              /** Format: date-time */
              expiresAt: string;
            } | null;
            draft?: unknown | null;
            annotations?: {
              id: number;
              annotator: {
                id: number | null;
                name: string;
                own: boolean;
              };
              label: unknown;
              durationMs: number | null;
              activeMs: number | null;
              /** Format: date-time */
              submittedAt: string;
              /** @enum {string} */
              source: "quorum" | "import";
              rejected: boolean;
            }[];
            outcome?: {
              disputed: boolean;
              fields: unknown;
              aggregatedLabel: unknown;
              /** Format: date-time */
              checkedAt: string;
            } | null;
            versions?: ({
              version: number;
              label: unknown;
              rationale: string | null;
              /** Format: date-time */
              publishedAt: string;
            } & {
              [key: string]: unknown;
            })[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query parameters are not valid"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getItem: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The item with what the caller may see of its labels */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "item": {
           *         "id": 42,
           *         "projectId": 7,
           *         "externalId": null,
           *         "prompt": "Is ibuprofen safe with warfarin?",
           *         "responses": [
           *           {
           *             "id": "a",
           *             "model": "model-a",
           *             "text": "No: it raises the risk of bleeding…"
           *           },
           *           {
           *             "id": "b",
           *             "model": "model-b",
           *             "text": "Yes, at normal doses."
           *           }
           *         ],
           *         "domain": "medical",
           *         "template": {
           *           "fields": [
           *             {
           *               "id": "helpfulness",
           *               "label": "Helpfulness",
           *               "type": "rating",
           *               "min": 1,
           *               "max": 5,
           *               "required": true,
           *               "level": "ordinal"
           *             }
           *           ]
           *         }
           *       },
           *       "assignment": {
           *         "status": "reserved",
           *         "expiresAt": "2026-03-02T10:05:00.000Z"
           *       },
           *       "draft": null,
           *       "annotations": [],
           *       "outcome": null,
           *       "versions": []
           *     }
           */
          "application/json": components["schemas"]["ItemView"];
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Item id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  submitAnnotation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "label": {
         *         "helpfulness": 4
         *       },
         *       "durationMs": 60000
         *     }
         */
        "application/json": {
          label: {
            [key: string]: unknown;
          };
          durationMs?: number;
        };
      };
    };
    responses: {
      /** @description The same label sent again: the annotation stored the first time */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "annotation": {
           *         "id": 77,
           *         "itemId": 42,
           *         "label": {
           *           "helpfulness": 4
           *         },
           *         "durationMs": 60000,
           *         "activeMs": 58000,
           *         "submittedAt": "2026-03-02T10:05:00.000Z",
           *         "sampledForReview": false
           *       }
           *     }
           */
          "application/json": {
            annotation: {
              id: number;
              itemId: number;
              /** @description `{ [fieldId]: value }` */
              label: {
                [key: string]: unknown;
              };
              durationMs: number | null;
              activeMs: number;
              /** Format: date-time */
              submittedAt: string;
              sampledForReview: boolean;
            };
          };
        };
      };
      /** @description The stored annotation */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "annotation": {
           *         "id": 77,
           *         "itemId": 42,
           *         "label": {
           *           "helpfulness": 4
           *         },
           *         "durationMs": 60000,
           *         "activeMs": 58000,
           *         "submittedAt": "2026-03-02T10:05:00.000Z",
           *         "sampledForReview": false
           *       }
           *     }
           */
          "application/json": {
            annotation: {
              id: number;
              itemId: number;
              /** @description `{ [fieldId]: value }` */
              label: {
                [key: string]: unknown;
              };
              durationMs: number | null;
              activeMs: number;
              /** Format: date-time */
              submittedAt: string;
              sampledForReview: boolean;
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "You have already labelled this item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  reviseAnnotation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "label": {
         *         "helpfulness": 3
         *       }
         *     }
         */
        "application/json": {
          label: {
            [key: string]: unknown;
          };
        };
      };
    };
    responses: {
      /** @description The revised annotation */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "annotation": {
           *         "id": 77,
           *         "itemId": 42,
           *         "label": {
           *           "helpfulness": 3
           *         },
           *         "submittedAt": "2026-03-02T10:05:00.000Z"
           *       }
           *     }
           */
          "application/json": {
            annotation: {
              id: number;
              itemId: number;
              /** @description `{ [fieldId]: value }` */
              label: {
                [key: string]: unknown;
              };
              /** Format: date-time */
              submittedAt: string;
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "The item has all its labels now: yours can no longer change"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  skipItem: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "reason": "Outside my expertise"
         *     }
         */
        "application/json": {
          reason: string;
        };
      };
    };
    responses: {
      /** @description Done; no body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "You do not hold this item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  itemHeartbeat: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Done; no body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Item id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "You do not hold this item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  saveDraft: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "label": {
         *         "helpfulness": 4
         *       },
         *       "elapsedMs": 30000
         *     }
         */
        "application/json": {
          label: {
            [key: string]: unknown;
          };
          /** @default 0 */
          elapsedMs?: number;
        };
      };
    };
    responses: {
      /** @description When it was saved */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "savedAt": "2026-03-02T10:05:00.000Z"
           *     }
           */
          "application/json": {
            /** Format: date-time */
            savedAt: string;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "You do not hold this item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getLabelingStatus: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The caller's labels today and in all, and items open to them */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": {
           *         "state": "available",
           *         "doneToday": 12,
           *         "doneTotal": 40,
           *         "remaining": 80,
           *         "waiting": 2
           *       }
           *     }
           */
          "application/json": {
            status: {
              /** @enum {string} */
              state: "available" | "waiting" | "all_done" | "no_items_for_domains" | "no_items";
              doneToday: number;
              doneTotal: number;
              remaining: number;
              waiting: number;
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Not an annotator or lead of the project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getGuidelines: {
    parameters: {
      query?: {
        version?: number;
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The guidelines (markdown) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "guidelines": {
           *         "version": 2,
           *         "body": "# Rating helpfulness\n\nJudge the answer a clinician would give…",
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "createdBy": {
           *           "id": 2,
           *           "name": "Lead"
           *         }
           *       }
           *     }
           */
          "application/json": {
            guidelines: components["schemas"]["Guidelines"] | null;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query parameters are not valid",
           *         "details": [
           *           {
           *             "field": "version",
           *             "message": "Too small: expected number to be >0"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No version 9 of the guidelines"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  saveGuidelines: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "body": "# Rating helpfulness\n\nJudge the answer a clinician would give…",
         *       "expectedVersion": 1
         *     }
         */
        "application/json": {
          body: string;
          expectedVersion: number;
        };
      };
    };
    responses: {
      /** @description The new version */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "guidelines": {
           *         "version": 2,
           *         "body": "# Rating helpfulness\n\nJudge the answer a clinician would give…",
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "createdBy": {
           *           "id": 2,
           *           "name": "Lead"
           *         }
           *       }
           *     }
           */
          "application/json": {
            guidelines: components["schemas"]["Guidelines"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "The guidelines changed since version 1: reload them and edit again"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listGuidelineVersions: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every version, newest first, without bodies */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "versions": [
           *         {
           *           "version": 2,
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "createdBy": {
           *             "id": 2,
           *             "name": "Lead"
           *           },
           *           "length": 64
           *         }
           *       ]
           *     }
           */
          "application/json": {
            versions: {
              version: number;
              /** Format: date-time */
              createdAt: string;
              createdBy: {
                id: number;
                name: string;
              } | null;
              length: number;
            }[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  flagItem: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "note": "Response b is cut off"
         *     }
         */
        "application/json": {
          note: string;
        };
      };
    };
    responses: {
      /** @description The flag */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "flag": {
           *         "id": 5,
           *         "item": {
           *           "id": 42,
           *           "externalId": "q-0001"
           *         },
           *         "note": "Response b is cut off",
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "flaggedBy": {
           *           "id": 3,
           *           "name": "Expert One",
           *           "email": "expert1@example.org"
           *         },
           *         "status": "open",
           *         "resolvedAt": null,
           *         "resolvedBy": null,
           *         "reassignedTo": null
           *       }
           *     }
           */
          "application/json": {
            flag: components["schemas"]["Flag"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "You do not hold this item: only the item you are labelling can be flagged"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listFlags: {
    parameters: {
      query?: {
        status?: "open" | "all";
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Flags (open ones by default) and skip reasons */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "flags": [
           *         {
           *           "id": 5,
           *           "item": {
           *             "id": 42,
           *             "externalId": "q-0001"
           *           },
           *           "note": "Response b is cut off",
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "flaggedBy": {
           *             "id": 3,
           *             "name": "Expert One",
           *             "email": "expert1@example.org"
           *           },
           *           "status": "open",
           *           "resolvedAt": null,
           *           "resolvedBy": null,
           *           "reassignedTo": null
           *         }
           *       ],
           *       "skips": [
           *         {
           *           "item": {
           *             "id": 43,
           *             "externalId": "q-0002"
           *           },
           *           "reason": "Outside my expertise",
           *           "skippedAt": "2026-03-02T09:30:00.000Z",
           *           "skippedBy": {
           *             "id": 3,
           *             "name": "Expert One",
           *             "email": "expert1@example.org"
           *           }
           *         }
           *       ]
           *     }
           */
          "application/json": {
            flags: components["schemas"]["Flag"][];
            skips: {
              item: {
                id: number;
                externalId: string | null;
              };
              reason: string;
              skippedAt: string | null;
              skippedBy: {
                id: number;
                name: string;
                email: string;
              };
            }[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The query parameters are not valid"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  releaseFlag: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The decided flag */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "flag": {
           *         "id": 5,
           *         "item": {
           *           "id": 42,
           *           "externalId": "q-0001"
           *         },
           *         "note": "Response b is cut off",
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "flaggedBy": {
           *           "id": 3,
           *           "name": "Expert One",
           *           "email": "expert1@example.org"
           *         },
           *         "status": "released",
           *         "resolvedAt": "2026-03-02T10:05:00.000Z",
           *         "resolvedBy": {
           *           "id": 2,
           *           "name": "Lead",
           *           "email": "lead@example.org"
           *         },
           *         "reassignedTo": null
           *       }
           *     }
           */
          "application/json": {
            flag: components["schemas"]["Flag"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Flag id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such flag"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "This flag has already been dealt with"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  reassignFlag: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "email": "expert2@example.org"
         *     }
         */
        "application/json": {
          email: string;
        };
      };
    };
    responses: {
      /** @description The decided flag */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "flag": {
           *         "id": 5,
           *         "item": {
           *           "id": 42,
           *           "externalId": "q-0001"
           *         },
           *         "note": "Response b is cut off",
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "flaggedBy": {
           *           "id": 3,
           *           "name": "Expert One",
           *           "email": "expert1@example.org"
           *         },
           *         "status": "reassigned",
           *         "resolvedAt": "2026-03-02T10:05:00.000Z",
           *         "resolvedBy": {
           *           "id": 2,
           *           "name": "Lead",
           *           "email": "lead@example.org"
           *         },
           *         "reassignedTo": {
           *           "id": 4,
           *           "name": "Expert Two",
           *           "email": "expert2@example.org"
           *         }
           *       }
           *     }
           */
          "application/json": {
            flag: components["schemas"]["Flag"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such flag"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "That person has labelled this item already"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  decideReview: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "verdict": "correct",
         *       "correctedLabel": {
         *         "helpfulness": 2
         *       },
         *       "comments": [
         *         {
         *           "fieldId": "helpfulness",
         *           "text": "Response a misses the interaction"
         *         }
         *       ]
         *     }
         */
        "application/json":
          | {
              /** @constant */
              verdict: "accept";
              /** @default [] */
              comments?: {
                fieldId?: string;
                span?: {
                  responseId: string;
                  start: number;
                  end: number;
                  text?: string;
                };
                text: string;
              }[];
            }
          | {
              /** @constant */
              verdict: "correct";
              correctedLabel: {
                [key: string]: unknown;
              };
              comments: {
                fieldId?: string;
                span?: {
                  responseId: string;
                  start: number;
                  end: number;
                  text?: string;
                };
                text: string;
              }[];
            }
          | {
              /** @constant */
              verdict: "reject";
              comments: {
                fieldId?: string;
                span?: {
                  responseId: string;
                  start: number;
                  end: number;
                  text?: string;
                };
                text: string;
              }[];
            };
      };
    };
    responses: {
      /** @description The decided review */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "review": {
           *         "id": 9,
           *         "verdict": "corrected"
           *       }
           *     }
           */
          "application/json": {
            review: {
              id: number;
              /** @enum {string} */
              verdict: "accepted" | "corrected" | "rejected";
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such review"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "This review was already decided (accepted)"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  reviewHeartbeat: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Done; no body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Review id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such review"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "This review was already decided"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  getAdjudication: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The adjudication and what the caller may do */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "adjudication": {
           *         "itemId": 42,
           *         "status": "adjudicating",
           *         "publishRule": {
           *           "kind": "lead"
           *         },
           *         "latestVersion": null,
           *         "draftVersion": 1,
           *         "panel": [
           *           {
           *             "memberId": "p3",
           *             "name": "Expert One",
           *             "source": "annotator",
           *             "own": false
           *           }
           *         ],
           *         "approvals": [],
           *         "may": {
           *           "publish": true,
           *           "approve": false,
           *           "reopen": false,
           *           "managePanel": true
           *         }
           *       }
           *     }
           */
          "application/json": {
            adjudication: components["schemas"]["Adjudication"];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Item id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  addPanelMember: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "email": "expert2@example.org"
         *     }
         */
        "application/json": {
          /**
           * Format: email
           * @description Surrounding spaces are ignored, and so is case.
           */
          email: string;
        };
      };
    };
    responses: {
      /** @description The panel */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "panel": [
           *         {
           *           "userId": 3,
           *           "name": "Expert One",
           *           "source": "annotator"
           *         },
           *         {
           *           "userId": 4,
           *           "name": "Expert Two",
           *           "source": "invited"
           *         }
           *       ]
           *     }
           */
          "application/json": {
            panel: {
              userId: number;
              name: string;
              /** @enum {string} */
              source: "annotator" | "invited";
            }[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only a lead of this project may add panel members"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "A panel sits on disputed, adjudicating or published items; this one is queued"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  approveDraft: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The approvals of the draft version */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "approval": {
           *         "version": 1,
           *         "required": 2,
           *         "approvals": [
           *           "p3"
           *         ]
           *       }
           *     }
           */
          "application/json": {
            approval: {
              version: number;
              required: number | null;
              approvals: string[];
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Item id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only members of this item's panel may approve its draft"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "This item is already published; reopen it to publish a new version"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  publishItem: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "expectedVersion": 1,
         *       "rationale": "Response a names the interaction"
         *     }
         */
        "application/json": {
          expectedVersion?: number;
          rationale?: string;
        };
      };
    };
    responses: {
      /** @description The published version */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "version": 1,
           *       "label": {
           *         "helpfulness": 4
           *       }
           *     }
           */
          "application/json": {
            version: number;
            /** @description `{ [fieldId]: value }` */
            label: {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "Version 1 cannot be published: the next version is 2"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  reopenItem: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The item's new state */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "status": "adjudicating",
           *       "draftVersion": 2
           *     }
           */
          "application/json": {
            /** @constant */
            status: "adjudicating";
            draftVersion: number;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Item id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "Only a lead of this project may reopen"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such item"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "Only a published item can be reopened"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listAdjudicationQueue: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the queue and its length */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "items": [
           *         {
           *           "id": 42,
           *           "externalId": "q-0001",
           *           "status": "disputed",
           *           "disputedFields": [
           *             "helpfulness"
           *           ],
           *           "disputedAt": "2026-03-02T09:30:00.000Z",
           *           "reopened": false,
           *           "inRoom": [
           *             {
           *               "id": 2,
           *               "name": "Lead"
           *             }
           *           ]
           *         }
           *       ],
           *       "total": 1
           *     }
           */
          "application/json": {
            items: ({
              id: number;
              externalId: string;
              /** @enum {string} */
              status: "disputed" | "adjudicating";
              disputedFields: string[];
              /**
               * Format: date-time
               * @description When the item's current wait began
               */
              disputedAt: string;
              reopened: boolean;
              /** @description Who is in the item's room now, as the caller may see them */
              inRoom: {
                id: number | null;
                name: string;
              }[];
            } & {
              [key: string]: unknown;
            })[];
            total: number;
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Invalid query"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listWebhooks: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoints, without their secrets */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "webhooks": [
           *         {
           *           "id": 2,
           *           "projectId": 7,
           *           "url": "https://pipeline.example.org/quorum",
           *           "events": [
           *             "item.published"
           *           ],
           *           "enabled": true,
           *           "allowPrivateAddresses": false,
           *           "createdAt": "2026-03-02T09:30:00.000Z",
           *           "owner": {
           *             "id": 2,
           *             "name": "Lead"
           *           },
           *           "paused": false,
           *           "turnedOffAt": null,
           *           "delivery": {
           *             "throughEventId": 118,
           *             "failedAttempts": 0,
           *             "failingSince": null,
           *             "unreachableSince": null,
           *             "nextAttemptAt": null
           *           }
           *         }
           *       ]
           *     }
           */
          "application/json": {
            webhooks: {
              id: number;
              projectId: number;
              url: string;
              events: string[];
              enabled: boolean;
              allowPrivateAddresses: boolean;
              /** Format: date-time */
              createdAt: string;
              /** @description Who created the endpoint or last saved it; null once that account is deleted */
              owner: {
                id: number;
                name: string;
              } | null;
              /** @description Nothing is sent while the owner may no longer manage the project's webhooks (not a lead of it, disabled or deleted, and not an admin); a lead or admin who saves the endpoint takes it over */
              paused: boolean;
              /** @description When Quorum turned the endpoint off (`enabled` false) because nothing had been delivered to it for `WEBHOOK_TURN_OFF_AFTER_HOURS`; its events wait, and enabling it resumes where it stopped */
              turnedOffAt: string | null;
              delivery: {
                /** @description Every subscribed event up to this id has been delivered or given up */
                throughEventId: number;
                /** @description Failed attempts at the event it waits on */
                failedAttempts: number;
                /** @description The first failed attempt at that event */
                failingSince: string | null;
                /** @description The first failed attempt since the last delivery, whichever events it was for */
                unreachableSince: string | null;
                nextAttemptAt: string | null;
              };
            }[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Project id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  createWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "url": "https://pipeline.example.org/quorum",
         *       "events": [
         *         "item.published"
         *       ]
         *     }
         */
        "application/json": {
          url: string;
          events: (
            | "item.disputed"
            | "item.published"
            | "item.reopened"
            | "annotation.submitted"
            | "review.decided"
            | "import.completed"
          )[];
          allowPrivateAddresses?: boolean;
        };
      };
    };
    responses: {
      /** @description The endpoint and its signing secret */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "webhook": {
           *         "id": 2,
           *         "projectId": 7,
           *         "url": "https://pipeline.example.org/quorum",
           *         "events": [
           *           "item.published"
           *         ],
           *         "enabled": true,
           *         "allowPrivateAddresses": false,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "owner": {
           *           "id": 2,
           *           "name": "Lead"
           *         },
           *         "paused": false,
           *         "turnedOffAt": null,
           *         "delivery": {
           *           "throughEventId": 118,
           *           "failedAttempts": 0,
           *           "failingSince": null,
           *           "unreachableSince": null,
           *           "nextAttemptAt": null
           *         },
           *         "secret": "whsec_…"
           *       }
           *     }
           */
          "application/json": {
            webhook: {
              id: number;
              projectId: number;
              url: string;
              events: string[];
              enabled: boolean;
              allowPrivateAddresses: boolean;
              /** Format: date-time */
              createdAt: string;
              /** @description Who created the endpoint or last saved it; null once that account is deleted */
              owner: {
                id: number;
                name: string;
              } | null;
              /** @description Nothing is sent while the owner may no longer manage the project's webhooks (not a lead of it, disabled or deleted, and not an admin); a lead or admin who saves the endpoint takes it over */
              paused: boolean;
              /** @description When Quorum turned the endpoint off (`enabled` false) because nothing had been delivered to it for `WEBHOOK_TURN_OFF_AFTER_HOURS`; its events wait, and enabling it resumes where it stopped */
              turnedOffAt: string | null;
              delivery: {
                /** @description Every subscribed event up to this id has been delivered or given up */
                throughEventId: number;
                /** @description Failed attempts at the event it waits on */
                failedAttempts: number;
                /** @description The first failed attempt at that event */
                failingSince: string | null;
                /** @description The first failed attempt since the last delivery, whichever events it was for */
                unreachableSince: string | null;
                nextAttemptAt: string | null;
              };
              /** @description The signing secret, shown only in this answer */
              secret: string;
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description The caller may not do this (or a cookie-authenticated request from another origin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "forbidden",
           *         "message": "You do not have permission to do this"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The state of the data does not allow it */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "conflict",
           *         "message": "A project has at most 20 webhooks; delete one to add another"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Done; no body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Webhook id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such webhook"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  updateWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        /**
         * @example {
         *       "enabled": false
         *     }
         */
        "application/json": {
          url?: string;
          events?: (
            | "item.disputed"
            | "item.published"
            | "item.reopened"
            | "annotation.submitted"
            | "review.decided"
            | "import.completed"
          )[];
          allowPrivateAddresses?: boolean;
          enabled?: boolean;
        };
      };
    };
    responses: {
      /** @description The endpoint as changed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "webhook": {
           *         "id": 2,
           *         "projectId": 7,
           *         "url": "https://pipeline.example.org/quorum",
           *         "events": [
           *           "item.published"
           *         ],
           *         "enabled": false,
           *         "allowPrivateAddresses": false,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "owner": {
           *           "id": 2,
           *           "name": "Lead"
           *         },
           *         "paused": false,
           *         "turnedOffAt": null,
           *         "delivery": {
           *           "throughEventId": 118,
           *           "failedAttempts": 0,
           *           "failingSince": null,
           *           "unreachableSince": null,
           *           "nextAttemptAt": null
           *         }
           *       }
           *     }
           */
          "application/json": {
            webhook: {
              id: number;
              projectId: number;
              url: string;
              events: string[];
              enabled: boolean;
              allowPrivateAddresses: boolean;
              /** Format: date-time */
              createdAt: string;
              /** @description Who created the endpoint or last saved it; null once that account is deleted */
              owner: {
                id: number;
                name: string;
              } | null;
              /** @description Nothing is sent while the owner may no longer manage the project's webhooks (not a lead of it, disabled or deleted, and not an admin); a lead or admin who saves the endpoint takes it over */
              paused: boolean;
              /** @description When Quorum turned the endpoint off (`enabled` false) because nothing had been delivered to it for `WEBHOOK_TURN_OFF_AFTER_HOURS`; its events wait, and enabling it resumes where it stopped */
              turnedOffAt: string | null;
              delivery: {
                /** @description Every subscribed event up to this id has been delivered or given up */
                throughEventId: number;
                /** @description Failed attempts at the event it waits on */
                failedAttempts: number;
                /** @description The first failed attempt at that event */
                failingSince: string | null;
                /** @description The first failed attempt since the last delivery, whichever events it was for */
                unreachableSince: string | null;
                nextAttemptAt: string | null;
              };
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "The request body is not valid JSON"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such webhook"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      413: components["responses"]["PayloadTooLarge"];
      415: components["responses"]["UnsupportedMediaType"];
      /** @description The body is not valid; `details` names each field in error */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "validation_failed",
           *         "message": "The request body is not valid",
           *         "details": [
           *           {
           *             "field": "(root)",
           *             "message": "Invalid input: expected object, received null"
           *           }
           *         ]
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  listWebhookDeliveries: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoint, its backlog and its attempts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "webhook": {
           *         "id": 2,
           *         "projectId": 7,
           *         "url": "https://pipeline.example.org/quorum",
           *         "events": [
           *           "item.published"
           *         ],
           *         "enabled": true,
           *         "allowPrivateAddresses": false,
           *         "createdAt": "2026-03-02T09:30:00.000Z",
           *         "owner": {
           *           "id": 2,
           *           "name": "Lead"
           *         },
           *         "paused": false,
           *         "turnedOffAt": null,
           *         "delivery": {
           *           "throughEventId": 118,
           *           "failedAttempts": 0,
           *           "failingSince": null,
           *           "unreachableSince": null,
           *           "nextAttemptAt": null
           *         }
           *       },
           *       "waiting": 0,
           *       "attempts": [
           *         {
           *           "id": 31,
           *           "eventId": 118,
           *           "eventType": "item.published",
           *           "attempt": 1,
           *           "statusCode": 200,
           *           "error": null,
           *           "durationMs": 84,
           *           "outcome": "delivered",
           *           "manual": false,
           *           "at": "2026-03-02T10:05:00.000Z"
           *         }
           *       ]
           *     }
           */
          "application/json": {
            webhook: {
              id: number;
              projectId: number;
              url: string;
              events: string[];
              enabled: boolean;
              allowPrivateAddresses: boolean;
              /** Format: date-time */
              createdAt: string;
              /** @description Who created the endpoint or last saved it; null once that account is deleted */
              owner: {
                id: number;
                name: string;
              } | null;
              /** @description Nothing is sent while the owner may no longer manage the project's webhooks (not a lead of it, disabled or deleted, and not an admin); a lead or admin who saves the endpoint takes it over */
              paused: boolean;
              /** @description When Quorum turned the endpoint off (`enabled` false) because nothing had been delivered to it for `WEBHOOK_TURN_OFF_AFTER_HOURS`; its events wait, and enabling it resumes where it stopped */
              turnedOffAt: string | null;
              delivery: {
                /** @description Every subscribed event up to this id has been delivered or given up */
                throughEventId: number;
                /** @description Failed attempts at the event it waits on */
                failedAttempts: number;
                /** @description The first failed attempt at that event */
                failingSince: string | null;
                /** @description The first failed attempt since the last delivery, whichever events it was for */
                unreachableSince: string | null;
                nextAttemptAt: string | null;
              };
            };
            /** @description Subscribed events not delivered yet */
            waiting: number;
            attempts: ({
              id: number;
              eventId: number;
              eventType: string | null;
              attempt: number;
              statusCode: number | null;
              error: string | null;
              durationMs: number | null;
              outcome: string;
              manual: boolean;
              /** Format: date-time */
              at: string;
            } & {
              [key: string]: unknown;
            })[];
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Webhook id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such webhook"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
  redeliverWebhookEvent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description A positive integer id */
        id: number;
        /** @description A positive integer id */
        eventId: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The manual attempt */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "delivery": {
           *         "eventId": 118,
           *         "attempt": 2,
           *         "delivered": true,
           *         "statusCode": 200,
           *         "error": null,
           *         "durationMs": 91
           *       }
           *     }
           */
          "application/json": {
            delivery: {
              eventId: number;
              attempt: number;
              delivered: boolean;
              statusCode: number | null;
              error: string | null;
              durationMs: number | null;
            };
          };
        };
      };
      /** @description Malformed JSON, a bad id or a query parameter that is not accepted */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "bad_request",
           *         "message": "Webhook id must be a positive integer"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      401: components["responses"]["Unauthorized"];
      403: components["responses"]["CrossOrigin"];
      /** @description No such thing, or one the caller may not see */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": {
           *         "code": "not_found",
           *         "message": "No such event in this webhook's project"
           *       }
           *     }
           */
          "application/json": components["schemas"]["Error"];
        };
      };
      500: components["responses"]["Internal"];
      503: components["responses"]["Unavailable"];
    };
  };
}
