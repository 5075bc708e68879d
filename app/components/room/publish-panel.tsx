import { forwardRef, useId, useState, type FormEvent } from "react";
import type { PublishRule } from "~/domain/project.ts";
import { approvalsHolding, type RoomMeta } from "~/domain/room.ts";
import { formatDateTime } from "~/utils/format.ts";
import {
  memberName,
  type MemberNames,
  type RoomCapabilities,
  type RoomViewer,
} from "./room-types.ts";

/** A field error as the API reports it: `field` is a path such as `errors.0.end`. */
export interface ApiFieldError {
  field: string;
  message: string;
}

interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

type Outcome =
  | { kind: "idle" }
  | { kind: "busy"; action: "publish" | "approve" | "reopen" }
  | { kind: "done"; action: "approve" | "reopen"; message: string }
  | { kind: "invalid"; message: string }
  | { kind: "conflict"; message: string }
  | { kind: "failed"; message: string };

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

function errorOf(body: unknown): { message: string; details: ApiFieldError[] } {
  const error = (body as ApiErrorBody | null)?.error;
  const details = Array.isArray(error?.details)
    ? (error.details as unknown[]).filter(
        (detail): detail is ApiFieldError =>
          typeof detail === "object" &&
          detail !== null &&
          typeof (detail as ApiFieldError).field === "string" &&
          typeof (detail as ApiFieldError).message === "string",
      )
    : [];
  return { message: error?.message ?? "The server did not answer as expected.", details };
}

/**
 * A 409 that is not a lost race but the quorum rule: the draft on the server lacks approvals,
 * e.g. because a change reached it after the approvals this page counted.
 */
function isQuorumRefusal(body: unknown): boolean {
  const details = (body as ApiErrorBody | null)?.error?.details;
  return typeof details === "object" && details !== null && "required" in details;
}

function joinNames(names: ReadonlyArray<string>): string {
  return names.length < 2
    ? names.join("")
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

interface PublishPanelProps {
  itemId: number;
  meta: RoomMeta;
  may: RoomCapabilities;
  rule: PublishRule;
  members: MemberNames;
  viewer: RoomViewer;
  /** Whether everything this browser changed is stored, so that publishing includes it. */
  allSaved: boolean;
  /** The rationale stored with the published version shown, once the page has it. */
  publishedRationale: string | null;
  /** `draftDigest` of the draft as this page has it: which approvals still hold for it. */
  draftDigest: string | null;
  onFieldErrors: (errors: ApiFieldError[]) => void;
}

/**
 * Publishing the draft, approving it under a quorum rule, and reopening a published room. The
 * result of a publish shows up for everyone through the room itself (`meta`); this panel adds
 * what only the one who clicked needs: the fields to fix, or that someone else published first.
 */
export const PublishPanel = forwardRef<HTMLButtonElement, PublishPanelProps>(function PublishPanel(
  {
    itemId,
    meta,
    may,
    rule,
    members,
    viewer,
    allSaved,
    publishedRationale,
    draftDigest,
    onFieldErrors,
  },
  publishRef,
) {
  const id = useId();
  const [rationale, setRationale] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const busy = outcome.kind === "busy";
  const published = meta.status === "published";
  const base = `/api/v1/items/${itemId}`;
  const required = rule.kind === "quorum" ? rule.approvals : null;
  // Publishing counts only approvals of the label being published: one given before the draft
  // last changed shows as outdated, and its member may approve again.
  const approvals = approvalsHolding(meta, draftDigest);
  const outdated = meta.approvals.filter((member) => !approvals.includes(member));
  const approvedByViewer = viewer.memberId !== null && approvals.includes(viewer.memberId);
  const quorumMissing = required !== null && approvals.length < required;
  const nameOf = (member: string) => memberName(members, member, viewer);

  const publish = async (event: FormEvent) => {
    event.preventDefault();
    setOutcome({ kind: "busy", action: "publish" });
    const result = await post(`${base}/publish`, {
      ...(meta.version !== null ? { expectedVersion: meta.version } : {}),
      ...(rationale.trim() ? { rationale: rationale.trim() } : {}),
    }).catch(() => null);
    if (!result) {
      setOutcome({ kind: "failed", message: "Could not reach the server. Try again." });
      return;
    }
    if (result.status === 201) {
      // Everyone, this browser included, learns of the new version from the room itself.
      onFieldErrors([]);
      setRationale("");
      setOutcome({ kind: "idle" });
      return;
    }
    const { message, details } = errorOf(result.body);
    if (result.status === 422) {
      onFieldErrors(details);
      setOutcome({ kind: "invalid", message });
    } else if (result.status === 409) {
      setOutcome({ kind: isQuorumRefusal(result.body) ? "invalid" : "conflict", message });
    } else {
      setOutcome({ kind: "failed", message });
    }
  };

  const approve = async () => {
    setOutcome({ kind: "busy", action: "approve" });
    const result = await post(`${base}/approve`, {}).catch(() => null);
    if (!result) {
      setOutcome({ kind: "failed", message: "Could not reach the server. Try again." });
    } else if (result.status === 201) {
      onFieldErrors([]);
      setOutcome({
        kind: "done",
        action: "approve",
        message: "You approved the draft as it is now.",
      });
    } else {
      const { message, details } = errorOf(result.body);
      if (result.status === 422) onFieldErrors(details);
      setOutcome({ kind: result.status === 422 ? "invalid" : "failed", message });
    }
  };

  const reopen = async () => {
    setOutcome({ kind: "busy", action: "reopen" });
    const result = await post(`${base}/reopen`, {}).catch(() => null);
    if (result && result.status < 300) {
      setOutcome({ kind: "done", action: "reopen", message: "Reopened for the next version." });
    } else {
      setOutcome({
        kind: "failed",
        message: result ? errorOf(result.body).message : "Could not reach the server.",
      });
    }
  };

  // "You approved the draft as it is now" stops being true once the draft changes.
  const stale = outcome.kind === "done" && outcome.action === "approve" && !approvedByViewer;
  const feedback =
    outcome.kind === "invalid" ||
    outcome.kind === "conflict" ||
    outcome.kind === "failed" ||
    (outcome.kind === "done" && !stale) ? (
      <p
        role={outcome.kind === "done" ? "status" : "alert"}
        className={
          outcome.kind === "done" ? "publish-feedback" : "publish-feedback publish-feedback-error"
        }
      >
        {outcome.kind === "conflict" ? (
          <strong>Someone else published first. </strong>
        ) : outcome.kind === "invalid" ? (
          <strong>Not published. </strong>
        ) : null}
        {outcome.message}
      </p>
    ) : null;

  if (published) {
    return (
      <section className="publish card published" aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`} className="section-label">
          Published
        </h2>
        <p className="published-line">
          <strong>Version {meta.version ?? "?"}</strong>
          {meta.publishedBy ? <> by {memberName(members, meta.publishedBy, viewer)}</> : null}
          {meta.publishedAt ? <>, {formatDateTime(meta.publishedAt)}</> : null}
        </p>
        {publishedRationale ? (
          <div className="published-rationale">
            <h3 className="small">Rationale</h3>
            <p dir="auto">{publishedRationale}</p>
          </div>
        ) : null}
        <p className="muted small">The room is read-only until a lead reopens it.</p>
        {may.reopen ? (
          <button type="button" className="button" disabled={busy} onClick={reopen}>
            {busy ? "Reopening…" : "Reopen for a new version"}
          </button>
        ) : null}
        {feedback}
      </section>
    );
  }

  if (!may.publish && !may.approve) {
    return (
      <section className="publish card" aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`} className="section-label">
          Publication
        </h2>
        <p className="muted small">
          {required === null
            ? "A lead publishes this draft as version " + (meta.version ?? "?") + "."
            : `Publishing needs ${required} panel approvals of the draft as it is now; ${approvals.length} so far.`}
        </p>
      </section>
    );
  }

  return (
    <section className="publish card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="section-label">
        Publish version {meta.version ?? "?"}
      </h2>
      {required !== null ? (
        <>
          <p className="approvals small">
            <strong>
              {approvals.length} of {required}
            </strong>{" "}
            approvals
            {approvals.length > 0 ? `: ${approvals.map(nameOf).join(", ")}` : ""}
          </p>
          {outdated.length > 0 ? (
            <p className="approvals-outdated muted small">
              {outdated.length === 1 ? "The approval" : "The approvals"} of{" "}
              {joinNames(outdated.map(nameOf))} no longer{" "}
              {outdated.length === 1 ? "counts" : "count"}: the draft changed since.
            </p>
          ) : null}
        </>
      ) : null}
      {may.approve ? (
        <button
          type="button"
          className="button"
          disabled={busy || !allSaved || approvedByViewer}
          onClick={approve}
        >
          {approvedByViewer ? "You approved this draft" : "Approve this draft"}
        </button>
      ) : null}
      {may.publish ? (
        <form className="publish-form" onSubmit={publish}>
          <label htmlFor={`${id}-rationale`} className="small">
            Rationale <span className="muted">(optional, kept with the version)</span>
          </label>
          <textarea
            id={`${id}-rationale`}
            className="label-textarea"
            rows={3}
            maxLength={20_000}
            dir="auto"
            value={rationale}
            onChange={(event) => setRationale(event.target.value)}
          />
          <button
            ref={publishRef}
            type="submit"
            className="button button-primary"
            disabled={busy || !allSaved || quorumMissing}
          >
            {outcome.kind === "busy" && outcome.action === "publish"
              ? "Publishing…"
              : `Publish version ${meta.version ?? ""}`.trim()}
          </button>
          {quorumMissing ? (
            <p className="muted small">
              Publishing needs {required} approvals of the draft as it is now; it has{" "}
              {approvals.length === 0 ? "none" : approvals.length}.
            </p>
          ) : null}
          {!allSaved ? <p className="muted small">Waiting until your changes are saved.</p> : null}
        </form>
      ) : null}
      {feedback}
    </section>
  );
});
