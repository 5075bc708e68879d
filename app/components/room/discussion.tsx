import { forwardRef, useId, useState, type FormEvent } from "react";
import type * as Y from "yjs";
import { addComment, resolveComment, type RoomComment } from "~/domain/room.ts";
import { formatDateTime } from "~/utils/format.ts";
import { memberName, type MemberNames, type RoomViewer } from "./room-types.ts";

/** Where a comment is anchored: the room as a whole, a field, or one span of a spans field. */
export interface CommentAnchor {
  fieldId?: string;
  spanId?: string;
}

export interface AnchorChoice extends CommentAnchor {
  key: string;
  label: string;
}

export function anchorKey({ fieldId, spanId }: CommentAnchor): string {
  if (spanId) return `span:${spanId}`;
  return fieldId ? `field:${fieldId}` : "general";
}

/** How many open comments each anchor has, for the badges on fields and spans. */
export function openCommentCounts(comments: ReadonlyArray<RoomComment>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const comment of comments) {
    if (comment.resolved) continue;
    const key = anchorKey(comment);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

interface DiscussionProps {
  doc: Y.Doc | undefined;
  comments: ReadonlyArray<RoomComment>;
  anchors: ReadonlyArray<AnchorChoice>;
  members: MemberNames;
  viewer: RoomViewer;
  readOnly: boolean;
  /** The anchor the next comment goes to; fields and spans set it with their Comment buttons. */
  target: string;
  onTargetChange: (key: string) => void;
}

/**
 * The room's comment threads, one per anchor, live for everyone. Resolving hides a thread's
 * comment from the open count without deleting what was said.
 */
export const Discussion = forwardRef<HTMLTextAreaElement, DiscussionProps>(function Discussion(
  { doc, comments, anchors, members, viewer, readOnly, target, onTargetChange },
  composerRef,
) {
  const id = useId();
  const [draft, setDraft] = useState("");
  const [showResolved, setShowResolved] = useState(false);
  const byKey = new Map(anchors.map((anchor) => [anchor.key, anchor]));
  const threads = new Map<string, RoomComment[]>();
  for (const comment of comments) {
    const key = anchorKey(comment);
    threads.set(key, [...(threads.get(key) ?? []), comment]);
  }
  const order = [
    ...anchors.map((anchor) => anchor.key).filter((key) => threads.has(key)),
    ...[...threads.keys()].filter((key) => !byKey.has(key)),
  ];
  const resolvedCount = comments.filter((comment) => comment.resolved).length;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (!doc || readOnly || text === "" || viewer.memberId === null) return;
    const anchor: CommentAnchor = byKey.get(target) ?? {};
    addComment(doc, {
      author: viewer.memberId,
      text,
      ...(anchor.fieldId ? { fieldId: anchor.fieldId } : {}),
      ...(anchor.spanId ? { spanId: anchor.spanId } : {}),
    });
    setDraft("");
  };

  return (
    <section className="discussion card" aria-labelledby={`${id}-heading`}>
      <div className="discussion-head">
        <h2 id={`${id}-heading`} className="section-label">
          Discussion
        </h2>
        {resolvedCount > 0 ? (
          <button
            type="button"
            className="button button-quiet button-small"
            aria-pressed={showResolved}
            onClick={() => setShowResolved((shown) => !shown)}
          >
            {showResolved ? "Hide resolved" : `Show resolved (${resolvedCount})`}
          </button>
        ) : null}
      </div>
      {order.length === 0 ? <p className="empty-inline small">No comments yet.</p> : null}
      <div className="threads">
        {order.map((key) => {
          const thread = (threads.get(key) ?? []).filter(
            (comment) => showResolved || !comment.resolved,
          );
          if (thread.length === 0) return null;
          const anchor = byKey.get(key);
          return (
            <section
              key={key}
              className={key === target ? "thread thread-target" : "thread"}
              aria-label={`Comments on ${anchor?.label ?? "a removed span"}`}
              data-anchor={key}
            >
              <h3 className="thread-anchor">
                <button
                  type="button"
                  className="link-button"
                  onClick={() => onTargetChange(key)}
                  disabled={readOnly || !anchor}
                  title={readOnly ? undefined : "Reply here"}
                >
                  {anchor?.label ?? "A removed span"}
                </button>
              </h3>
              <ol className="comment-list">
                {thread.map((comment) => (
                  <li
                    key={comment.id}
                    className={comment.resolved ? "comment comment-resolved" : "comment"}
                  >
                    <p className="comment-meta">
                      <strong>{memberName(members, comment.author, viewer)}</strong>{" "}
                      <span className="muted">{formatDateTime(comment.createdAt)}</span>
                      {comment.resolved ? (
                        <span className="badge badge-muted">Resolved</span>
                      ) : null}
                    </p>
                    <p className="comment-text" dir="auto">
                      {comment.text}
                    </p>
                    {readOnly ? null : (
                      <button
                        type="button"
                        className="button button-quiet button-small"
                        onClick={() => doc && resolveComment(doc, comment.id, !comment.resolved)}
                      >
                        {comment.resolved ? "Reopen" : "Resolve"}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
            </section>
          );
        })}
      </div>
      {/* A comment being written when the room turns read-only (published) stays, so that
          its author can copy it or send it once the room reopens. */}
      {readOnly && draft === "" ? null : (
        <form className="composer" onSubmit={submit} aria-label="New comment">
          {readOnly ? (
            <p className="muted small">The room is read-only now; this comment was not sent.</p>
          ) : null}
          <label className="compact-field">
            <span>On</span>
            <select
              value={target}
              disabled={readOnly}
              onChange={(event) => onTargetChange(event.target.value)}
            >
              {anchors.map((anchor) => (
                <option key={anchor.key} value={anchor.key}>
                  {anchor.label}
                </option>
              ))}
            </select>
          </label>
          <label className="visually-hidden" htmlFor={`${id}-text`}>
            Comment
          </label>
          <textarea
            ref={composerRef}
            id={`${id}-text`}
            className="label-textarea composer-text"
            rows={3}
            maxLength={10_000}
            dir="auto"
            placeholder="Add to the discussion…"
            value={draft}
            readOnly={readOnly}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button
            type="submit"
            className="button"
            disabled={readOnly || draft.trim() === "" || !doc}
          >
            Comment
          </button>
        </form>
      )}
    </section>
  );
});
