import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * jsonb columns are read as parsed JSON and written as JSON text: both drivers then agree on
 * how a value is sent (pg would otherwise send a JavaScript array as a PostgreSQL array).
 */
export type Json<T> = ColumnType<T, string, string>;
export type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

export type AnnotatorLevel = "junior" | "expert";
export type ProjectRole = "lead" | "annotator" | "client";
export type ItemStatus =
  "queued" | "annotating" | "consensus" | "disputed" | "adjudicating" | "published";
export type AssignmentStatus = "reserved" | "submitted" | "skipped" | "expired";

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  is_admin: Generated<boolean>;
  level: AnnotatorLevel | null;
  domains: ColumnType<string[], string[] | undefined, string[]>;
  hourly_rate_cents: number | null;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
  /** The latest sign-in (docs/decisions/022); live sessions and tokens may be more recent. */
  last_seen_at: NullableTimestamp;
}

export type PasswordLinkPurpose = "invite" | "password_reset";

/** A one-time link by which a person sets their password; only its token's hash is kept. */
export interface PasswordLinksTable {
  id: Generated<number>;
  user_id: number;
  purpose: PasswordLinkPurpose;
  token_hash: string;
  created_by: number | null;
  created_at: Timestamp;
  expires_at: Date;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Date;
  last_seen_at: Timestamp;
  user_agent: string | null;
  ip: string | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string | null;
  succeeded: boolean;
  created_at: Timestamp;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  domain: string | null;
  template: Json<unknown>;
  overlap: Generated<number>;
  dispute_policy: JsonWithDefault<unknown>;
  auto_publish_consensus: Generated<boolean>;
  settings: JsonWithDefault<unknown>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: NullableTimestamp;
}

export interface ProjectMembersTable {
  project_id: number;
  user_id: number;
  role: ProjectRole;
  created_at: Timestamp;
}

export interface ItemsTable {
  id: Generated<number>;
  project_id: number;
  external_id: string;
  prompt: Json<unknown>;
  responses: Json<unknown>;
  domain: string | null;
  metadata: JsonWithDefault<unknown>;
  gold_label: ColumnType<unknown, string | null | undefined, string | null>;
  status: ColumnType<ItemStatus, ItemStatus | undefined, ItemStatus>;
  content_hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Labels that count towards the overlap (not rejected in review). */
  label_count: Generated<number>;
  /** When the current round of adjudication began: the room's first opening, or a reopening. */
  adjudication_started_at: NullableTimestamp;
}

export interface AssignmentsTable {
  id: Generated<number>;
  item_id: number;
  user_id: number;
  status: ColumnType<AssignmentStatus, AssignmentStatus | undefined, AssignmentStatus>;
  reserved_at: Timestamp;
  expires_at: Date | string;
  completed_at: NullableTimestamp;
  skip_reason: string | null;
  /** Working time measured so far from the activity instants (docs/decisions/021). */
  active_ms: Generated<number>;
  /** The latest activity instant; null, or before `reserved_at`, means none yet. */
  last_active_at: NullableTimestamp;
}

export interface AnnotationsTable {
  id: Generated<number>;
  item_id: number;
  user_id: number;
  label: Json<unknown>;
  /** The client's claimed working time, bounded by what the server measured (decision 021). */
  duration_ms: number | null;
  /** The working time the server measured; null where none was (imports). */
  active_ms: ColumnType<number | null, number | null | undefined, number | null>;
  source: ColumnType<"quorum" | "import", "quorum" | "import" | undefined, never>;
  submitted_at: Timestamp;
  created_at: Timestamp;
  /** Set when a lead rejected the annotation in review: it no longer counts. */
  rejected_at: NullableTimestamp;
  /**
   * The person's hourly rate in cents when the work was recorded (decision 034); null when they
   * had none then, or for imported labels.
   */
  rate_cents_per_hour: ColumnType<number | null, number | null | undefined, never>;
  /** When its author could first read the item's other labels: the label is fixed from then. */
  revealed_at: ColumnType<Date | null, never, Date | null>;
}

export interface AdjudicationsTable {
  id: Generated<number>;
  item_id: number;
  version: number;
  label: Json<unknown>;
  rationale: string | null;
  published_by: number | null;
  published_at: Timestamp;
  panel: JsonWithDefault<unknown>;
  votes: JsonWithDefault<unknown>;
  minority: JsonWithDefault<unknown>;
  room_snapshot: Uint8Array | null;
  /** The panel's person-time on the room; see `time_spent_kind`. */
  time_spent_ms: number | null;
  /**
   * `person_time`: the sum of each person's measured time on the room (`adjudication_time`);
   * `wall_clock`: a version published before that, which recorded the time since the room opened.
   */
  time_spent_kind: Generated<TimeSpentKind>;
}

export type TimeSpentKind = "wall_clock" | "person_time";

/** Each person's measured time on the room of a published version (decision 021). */
export interface AdjudicationTimeTable {
  item_id: number;
  version: number;
  user_id: number;
  active_ms: number;
  /**
   * The person's hourly rate in cents when the work was recorded (decision 034); null when they
   * had none then, or for imported labels.
   */
  rate_cents_per_hour: ColumnType<number | null, number | null | undefined, never>;
}

/** Time people spent on a room (item or review) not yet settled on a version or decision. */
export interface RoomTimeTable {
  doc_name: string;
  user_id: number;
  active_ms: Generated<number>;
  last_active_at: NullableTimestamp;
}

/** Each person's measured time on a review until its decision (decision 021). */
export interface ReviewTimeTable {
  review_id: number;
  user_id: number;
  active_ms: number;
  /**
   * The person's hourly rate in cents when the work was recorded (decision 034); null when they
   * had none then, or for imported labels.
   */
  rate_cents_per_hour: ColumnType<number | null, number | null | undefined, never>;
}

export interface RoomUpdatesTable {
  id: Generated<number>;
  doc_name: string;
  update: Uint8Array;
  created_at: Timestamp;
}

export interface RoomSnapshotsTable {
  doc_name: string;
  state: Uint8Array;
  last_update_id: Generated<number>;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  project_id: number | null;
  subject_type: string | null;
  subject_id: string | null;
  details: JsonWithDefault<unknown>;
  created_at: Timestamp;
}

export interface ItemOutcomesTable {
  item_id: number;
  disputed: boolean;
  fields: Json<unknown>;
  aggregated_label: Json<unknown>;
  annotators: Json<unknown>;
  checked_at: Timestamp;
}

export type ReviewVerdict = "pending" | "accepted" | "corrected" | "rejected";

export interface ReviewsTable {
  id: Generated<number>;
  annotation_id: number;
  project_id: number;
  reviewer_id: number | null;
  verdict: ColumnType<ReviewVerdict, ReviewVerdict | undefined, ReviewVerdict>;
  corrected_label: ColumnType<unknown, string | null | undefined, string | null>;
  comments: JsonWithDefault<unknown>;
  created_at: Timestamp;
  decided_at: NullableTimestamp;
  /** Everyone's measured time on the review until its decision (`review_time`); null before. */
  time_spent_ms: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface DraftsTable {
  item_id: number;
  user_id: number;
  label: Json<unknown>;
  elapsed_ms: Generated<number>;
  updated_at: Timestamp;
}

export interface UserPreferencesTable {
  user_id: number;
  shortcuts: JsonWithDefault<unknown>;
  updated_at: Timestamp;
}

export interface PanelMembersTable {
  item_id: number;
  user_id: number;
  added_by: number | null;
  created_at: Timestamp;
}

/** A person's opaque key in a project: how room documents name them (docs/decisions/016). */
export interface ProjectParticipantsTable {
  project_id: number;
  user_id: number;
  key: Generated<string>;
  created_at: Timestamp;
  /** The letter of the participant's pseudonym ("Annotator A" is 0); null for leads and clients. */
  pseudonym_position: number | null;
}

export interface PublishApprovalsTable {
  item_id: number;
  version: number;
  user_id: number;
  label: Json<unknown>;
  created_at: Timestamp;
}

/** The one row naming this deployment: a random id, made once by a migration. */
export interface DeploymentTable {
  singleton: Generated<boolean>;
  id: string;
  created_at: Timestamp;
  /** Random, made once by a migration; keys what users must not predict (gold turns). */
  secret: string;
}

/** Work a migration asked the server to do once with the application's rules (decision 018). */
export interface DataStepsTable {
  name: string;
  requested_at: Timestamp;
  done_at: NullableTimestamp;
  outcome: ColumnType<unknown, string | null | undefined, string | null>;
}

export type VersionFlagReason = "invalid" | "consensus_changed";

/** A published version the current rules would not have let through: for a lead to reopen. */
export interface VersionFlagsTable {
  item_id: number;
  version: number;
  reason: VersionFlagReason;
  details: JsonWithDefault<unknown>;
  created_at: Timestamp;
}

/** One version of a project's labeling guidelines (markdown); the highest version is current. */
export interface ProjectGuidelinesTable {
  project_id: number;
  version: number;
  body: string;
  created_by: number | null;
  created_at: Timestamp;
}

export type FlagResolution = "released" | "reassigned";

/** An annotator's flag on an item they held, open until a lead releases or reassigns the item. */
export interface ItemFlagsTable {
  id: Generated<number>;
  item_id: number;
  user_id: number;
  note: string;
  created_at: Timestamp;
  resolution: FlagResolution | null;
  resolved_by: number | null;
  resolved_at: NullableTimestamp;
  reassigned_to: number | null;
}

/**
 * What happened in a project, written in the transaction of the change it records and kept:
 * the event streams' source and webhooks' outbox. Ids grow in commit order within a project.
 */
export interface ProjectEventsTable {
  id: Generated<number>;
  project_id: number;
  type: string;
  item_id: number | null;
  payload: Json<unknown>;
  created_at: Timestamp;
}

/** A project's quality figures as a lead sees them; see the quality snapshots migration. */
export interface QualitySnapshotsTable {
  project_id: number;
  format: number;
  fingerprint: string;
  figures: string;
  compute_ms: number;
  matched_at: Timestamp;
  computed_at: Generated<Date>;
}

/** A lead's webhook endpoint for a project; see the webhooks migration for how it delivers. */
export interface WebhookEndpointsTable {
  id: Generated<number>;
  project_id: number;
  url: string;
  secret: string;
  event_types: string[];
  enabled: Generated<boolean>;
  allow_private_addresses: Generated<boolean>;
  /** The last event handled: delivered, or given up after retrying. */
  after_event_id: number;
  /** Failed attempts at the event after `after_event_id`. */
  attempts: Generated<number>;
  /** When its failures began on the event it waits on. */
  failing_since: NullableTimestamp;
  /** When its failures began since its last delivery, whichever events they were for. */
  unreachable_since: NullableTimestamp;
  /** When the dispatcher turned it off for delivering nothing for too long (null otherwise). */
  turned_off_at: NullableTimestamp;
  next_attempt_at: NullableTimestamp;
  leased_until: NullableTimestamp;
  created_by: number | null;
  created_at: Timestamp;
}

export type WebhookOutcome = "delivered" | "failed" | "given up";

export interface WebhookAttemptsTable {
  id: Generated<number>;
  endpoint_id: number;
  event_id: number;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  outcome: WebhookOutcome;
  manual: Generated<boolean>;
  created_at: Timestamp;
}

export interface Database {
  deployment: DeploymentTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  password_links: PasswordLinksTable;
  login_attempts: LoginAttemptsTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  items: ItemsTable;
  assignments: AssignmentsTable;
  annotations: AnnotationsTable;
  adjudications: AdjudicationsTable;
  room_updates: RoomUpdatesTable;
  room_snapshots: RoomSnapshotsTable;
  audit_log: AuditLogTable;
  item_outcomes: ItemOutcomesTable;
  reviews: ReviewsTable;
  drafts: DraftsTable;
  user_preferences: UserPreferencesTable;
  panel_members: PanelMembersTable;
  publish_approvals: PublishApprovalsTable;
  data_steps: DataStepsTable;
  version_flags: VersionFlagsTable;
  project_participants: ProjectParticipantsTable;
  room_time: RoomTimeTable;
  adjudication_time: AdjudicationTimeTable;
  review_time: ReviewTimeTable;
  project_guidelines: ProjectGuidelinesTable;
  item_flags: ItemFlagsTable;
  project_events: ProjectEventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_attempts: WebhookAttemptsTable;
  quality_snapshots: QualitySnapshotsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Project = Selectable<ProjectsTable>;
export type NewProject = Insertable<ProjectsTable>;
export type Item = Selectable<ItemsTable>;
export type NewItem = Insertable<ItemsTable>;
export type Annotation = Selectable<AnnotationsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
