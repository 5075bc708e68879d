import { Link } from "@remix-run/react";
import { useCallback, useMemo, useRef, useState } from "react";
import type * as Y from "yjs";
import { usePresence } from "~/collab/presence.ts";
import { useDocValue, useRoom } from "~/collab/use-room.ts";
import { responseLetter } from "~/components/labeling/fields.tsx";
import { PromptView, ResponseReader } from "~/components/labeling/prompt-view.tsx";
import type { MarkdownHighlight } from "~/components/markdown/render.tsx";
import { LabelView } from "~/components/project/label-view.tsx";
import type { Prompt } from "~/domain/item.ts";
import { commentsToJson, labelToJson, metaMap, type RoomComment } from "~/domain/room.ts";
import { ownEntry, type SpanAnnotation, type Template } from "~/domain/template.ts";
import { formatDateTime } from "~/utils/format.ts";
import { Discussion, anchorKey, openCommentCounts, type AnchorChoice } from "./discussion.tsx";
import { ConnectionNotices, RoomBar } from "./room-status.tsx";
import type { MemberNames, RoomViewer } from "./room-types.ts";

export interface ReviewRoomData {
  docName: string;
  project: { id: number; name: string };
  item: {
    id: number;
    externalId: string;
    prompt: Prompt;
    responses: Array<{ id: string; text: string; model?: string }>;
    template: Template;
  };
  annotation: {
    authorName: string;
    submittedAt: string;
    label: Record<string, unknown>;
  };
  review: { id: number; verdict: string; decidedAt: string | null } | null;
  members: MemberNames;
  viewer: RoomViewer;
  mayDecide: boolean;
}

interface ReviewState {
  /** The reviewed label as the room holds it: its spans carry the ids comments anchor to. */
  label: Record<string, unknown> | null;
  comments: RoomComment[];
}

const emptyState: ReviewState = { label: null, comments: [] };

function readReviewState(doc: Y.Doc): ReviewState {
  return {
    label: metaMap(doc).has("status") ? labelToJson(doc) : null,
    comments: commentsToJson(doc),
  };
}

const verdictText: Record<string, string> = {
  pending: "Awaiting review",
  accepted: "Accepted",
  corrected: "Corrected",
  rejected: "Rejected",
};

const noHighlights: MarkdownHighlight[] = [];

/**
 * A lead and a junior talk through the junior's label: the label with its spans on the
 * responses, and comment threads on its fields and spans that both see as they are written.
 * The verdict itself is decided on the review page; this is where it is explained.
 */
export function ReviewRoom({ data }: { data: ReviewRoomData }) {
  const { item, viewer, members, annotation } = data;
  const { template } = item;
  const room = useRoom(data.docName);
  const doc = room.session?.doc;
  const state = useDocValue(doc, readReviewState, emptyState);
  const participants = usePresence(room.session?.provider.awareness, viewer);
  const editable = viewer.access === "edit" && room.loaded && room.save.state !== "refused";
  const label = state.label ?? annotation.label;
  const [target, setTarget] = useState("general");
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const responses = useMemo(
    () =>
      item.responses.map((response, index) => ({
        id: response.id,
        text: response.text,
        letter: responseLetter(index),
      })),
    [item.responses],
  );
  const fieldLabel = useCallback(
    (fieldId: string) => template.fields.find((field) => field.id === fieldId)?.label ?? fieldId,
    [template.fields],
  );

  const highlightsByResponse = useMemo(() => {
    const byResponse = new Map<string, MarkdownHighlight[]>();
    for (const field of template.fields) {
      if (field.type !== "spans") continue;
      for (const span of (ownEntry(label, field.id) as SpanAnnotation[] | undefined) ?? []) {
        const list = byResponse.get(span.responseId) ?? [];
        list.push({
          start: span.start,
          end: span.end,
          label: `${span.category} (${span.severity})`,
          tone: Math.max(0, field.categories.indexOf(span.category)),
        });
        byResponse.set(span.responseId, list);
      }
    }
    return byResponse;
  }, [template.fields, label]);

  const anchors: AnchorChoice[] = useMemo(() => {
    const choices: AnchorChoice[] = [{ key: "general", label: "The label as a whole" }];
    for (const field of template.fields) {
      choices.push({
        key: anchorKey({ fieldId: field.id }),
        fieldId: field.id,
        label: field.label,
      });
      if (field.type !== "spans") continue;
      for (const span of (ownEntry(label, field.id) as SpanAnnotation[] | undefined) ?? []) {
        if (!span.id) continue;
        const quote =
          responses
            .find((response) => response.id === span.responseId)
            ?.text.slice(span.start, span.end) ?? "";
        choices.push({
          key: anchorKey({ spanId: span.id }),
          fieldId: field.id,
          spanId: span.id,
          label: `${field.label}: “${quote.length > 48 ? `${quote.slice(0, 48)}…` : quote}”`,
        });
      }
    }
    return choices;
  }, [template.fields, label, responses]);
  const openComments = useMemo(() => openCommentCounts(state.comments), [state.comments]);

  const commentOn = (key: string) => {
    setTarget(key);
    composerRef.current?.focus();
  };
  const commentButton = (key: string, text: string) =>
    editable ? (
      <button
        type="button"
        className="button button-quiet button-small comment-button"
        onClick={() => commentOn(key)}
        aria-label={text}
      >
        Comment
        {openComments.get(key) ? (
          <span className="comment-count">{openComments.get(key)}</span>
        ) : null}
      </button>
    ) : null;

  return (
    <div className="room review-room" data-room-loaded={room.loaded}>
      <RoomBar
        breadcrumb={
          <>
            <Link to={`/projects/${data.project.id}`}>{data.project.name}</Link>
            <span aria-hidden="true"> / </span>
            <span className="mono">{item.externalId}</span>
          </>
        }
        title={<>Review of {annotation.authorName}’s label</>}
        participants={participants}
        fieldLabel={fieldLabel}
        save={room.save}
        observing={viewer.access !== "edit"}
      />
      <ConnectionNotices
        lostChange={room.lostChange}
        refusal={room.save.refusal}
        onRestart={room.restart}
        access={{ projectId: data.project.id, itemId: null }}
      />
      <div className="review-summary">
        <span className="badge">
          {data.review ? (verdictText[data.review.verdict] ?? data.review.verdict) : "Not sampled"}
        </span>
        <p className="muted small">
          Labelled {formatDateTime(annotation.submittedAt)}
          {data.review?.decidedAt ? ` · reviewed ${formatDateTime(data.review.decidedAt)}` : ""}
        </p>
        {data.mayDecide && data.review ? (
          <Link
            className="button button-small"
            to={`/projects/${data.project.id}/reviews/${data.review.id}`}
          >
            Open the review
          </Link>
        ) : null}
      </div>

      <div className="room-body">
        <div className="room-main">
          <PromptView prompt={item.prompt} />
          <div className={responses.length === 2 ? "responses responses-pair" : "responses"}>
            {responses.map((response) => (
              <ResponseReader
                key={response.id}
                response={response}
                highlights={highlightsByResponse.get(response.id) ?? noHighlights}
                readerKeyHint={null}
              />
            ))}
          </div>
          <section className="card review-label" aria-labelledby="review-label-heading">
            <h2 id="review-label-heading" className="section-label">
              The label
            </h2>
            {template.fields.map((field) => (
              <div key={field.id} className="room-field" data-room-field={field.id}>
                <div className="room-field-tools">
                  {commentButton(anchorKey({ fieldId: field.id }), `Comment on ${field.label}`)}
                </div>
                <LabelView
                  template={{ ...template, fields: [field] }}
                  label={label}
                  responses={item.responses}
                  spanAction={(span) =>
                    span.id
                      ? commentButton(anchorKey({ spanId: span.id }), "Comment on this span")
                      : null
                  }
                />
              </div>
            ))}
          </section>
        </div>
        <aside className="room-side" aria-label="Discussion">
          <Discussion
            ref={composerRef}
            doc={doc}
            comments={state.comments}
            anchors={anchors}
            members={members}
            viewer={viewer}
            readOnly={!editable}
            target={target}
            onTargetChange={setTarget}
          />
        </aside>
      </div>
    </div>
  );
}
