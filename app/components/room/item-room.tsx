import { Link, useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type * as Y from "yjs";
import { announceField, usePresence } from "~/collab/presence.ts";
import { useDocValue, useRoom } from "~/collab/use-room.ts";
import { responseLetter, type ResponseInfo } from "~/components/labeling/fields.tsx";
import { fieldOfError, readableError } from "~/components/labeling/label-draft.ts";
import { PromptView, ResponseReaders } from "~/components/labeling/prompt-view.tsx";
import { ShortcutLegend } from "~/components/labeling/shortcut-legend.tsx";
import { GuidelinesDisclosure, type GuidelinesText } from "~/components/labeling/guidelines.tsx";
import type { MarkdownHighlight } from "~/components/markdown/render.tsx";
import { sourceRangeOfSelection } from "~/components/markdown/selection.ts";
import type { DisputePolicy } from "~/domain/disputes.ts";
import type { Prompt } from "~/domain/item.ts";
import type { PublishRule } from "~/domain/project.ts";
import {
  addSpan,
  commentsToJson,
  draftDigest,
  labelToJson,
  readMeta,
  setLabelValue,
  setVote,
  spansOf,
  updateSpan,
  voteDisagreements,
  votesToJson,
  voteTallies,
  type RoomComment,
  type RoomMeta,
  type Votes,
} from "~/domain/room.ts";
import { describeChord, mergeKeymap, type KeymapOverrides } from "~/domain/shortcuts.ts";
import { trimSelection } from "~/domain/span-offsets.ts";
import { ownEntry, type Label, type SpanAnnotation, type Template } from "~/domain/template.ts";
import { Discussion, anchorKey, openCommentCounts, type AnchorChoice } from "./discussion.tsx";
import { DraftFields } from "./draft-fields.tsx";
import { PanelInvite, type PanelCandidate } from "./panel-invite.tsx";
import { PublishPanel, type ApiFieldError } from "./publish-panel.tsx";
import { ConnectionNotices, RoomBar, SaveStatus } from "./room-status.tsx";
import type { MemberNames, RoomCapabilities, RoomViewer } from "./room-types.ts";
import { useRoomShortcuts } from "./use-room-shortcuts.ts";
import { Suggestions } from "./suggestions.tsx";
import { VoteBoard, sameSpanMark } from "./vote-board.tsx";

export interface ItemRoomData {
  docName: string;
  project: { id: number; name: string };
  item: {
    id: number;
    externalId: string;
    status: string;
    prompt: Prompt;
    responses: Array<{ id: string; text: string; model?: string }>;
    template: Template;
  };
  versions: Array<{ version: number; rationale: string | null }>;
  disputePolicy: DisputePolicy;
  publishRule: PublishRule;
  members: MemberNames;
  viewer: RoomViewer;
  may: RoomCapabilities;
  shortcuts: KeymapOverrides;
  guidelines: GuidelinesText | null;
  /** For leads: the project's annotators and leads not on the panel; null for everyone else. */
  panelCandidates: PanelCandidate[] | null;
}

interface RoomState {
  label: Label;
  votes: Votes;
  comments: RoomComment[];
  meta: RoomMeta;
  /** Whether the server has pre-filled the room (it sets `meta.version` when it does). */
  prepared: boolean;
}

const emptyState: RoomState = {
  label: {},
  votes: {},
  comments: [],
  meta: {
    status: "open",
    version: null,
    publishedBy: null,
    publishedAt: null,
    approvals: [],
    approvedLabels: {},
  },
  prepared: false,
};

function readRoomState(doc: Y.Doc): RoomState {
  const meta = readMeta(doc);
  return {
    label: labelToJson(doc),
    votes: votesToJson(doc),
    comments: commentsToJson(doc),
    meta,
    prepared: meta.version !== null,
  };
}

/** The API's validation messages ("must not be empty") as they read next to a field. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * The adjudication room: the item, every panel member's independent label and current vote
 * with the disagreements marked, the draft label that the panel edits together, the discussion,
 * who is here, and publishing. Everything shown comes from the shared document and changes as
 * the others work; the page offers editing only where the server would store it.
 */
export function ItemRoom({ data }: { data: ItemRoomData }) {
  const { item, viewer, may, members } = data;
  const { template } = item;
  const room = useRoom(data.docName);
  const doc = room.session?.doc;
  const awareness = room.session?.provider.awareness;
  const state = useDocValue(doc, readRoomState, emptyState);
  const keymap = useMemo(() => mergeKeymap(data.shortcuts), [data.shortcuts]);
  const responses: ResponseInfo[] = useMemo(
    () =>
      item.responses.map((response, index) => ({
        id: response.id,
        text: response.text,
        letter: responseLetter(index),
      })),
    [item.responses],
  );

  const published = state.meta.status === "published";
  const editor = viewer.access === "edit";
  // A version published while this page was open: its rationale comes with the page's data.
  const revalidator = useRevalidator();
  const publishedVersion = published
    ? data.versions.find((version) => version.version === state.meta.version)
    : undefined;
  const missingVersion =
    published && state.meta.version !== null && !publishedVersion ? state.meta.version : null;
  // Once per version: a viewer the page cannot show it to would otherwise reload forever.
  const reloadedFor = useRef<number | null>(null);
  useEffect(() => {
    if (missingVersion === null || reloadedFor.current === missingVersion) return;
    reloadedFor.current = missingVersion;
    revalidator.revalidate();
  }, [missingVersion, revalidator]);
  const editable = editor && room.loaded && !published && room.save.state !== "refused";
  // The notice of a change lost to publishing holds until the room is reopened: only a
  // reopening seen after the publication (not the "open" of a document still loading) ends it.
  const seenPublished = useRef(false);
  const { loaded, lostChange, dismissLostChange } = room;
  useEffect(() => {
    if (!loaded) return;
    if (published) seenPublished.current = true;
    else if (seenPublished.current) {
      seenPublished.current = false;
      if (lostChange) dismissLostChange();
    }
  }, [loaded, published, lostChange, dismissLostChange]);

  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [generalErrors, setGeneralErrors] = useState<string[]>([]);
  const [legendOpen, setLegendOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const [activeSpan, setActiveSpan] = useState<{ fieldId: string; index: number } | null>(null);
  const [rankCursor, setRankCursor] = useState<Record<string, number>>({});
  const [target, setTarget] = useState("general");
  const fieldsRef = useRef<HTMLFieldSetElement>(null);
  const readerRefs = useRef<Array<HTMLDivElement | null>>([]);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const publishRef = useRef<HTMLButtonElement>(null);
  const publishSectionRef = useRef<HTMLDivElement>(null);
  // The span the severity key sets: the one this viewer marked last, by its id in the draft.
  const lastMarked = useRef<{ fieldId: string; spanId: string } | null>(null);

  const participants = usePresence(awareness, viewer);
  const fieldLabel = useCallback(
    (fieldId: string) => template.fields.find((field) => field.id === fieldId)?.label ?? fieldId,
    [template.fields],
  );

  useEffect(() => {
    if (!awareness) return;
    const onFocusIn = (event: FocusEvent) => {
      const element = event.target instanceof Element ? event.target : null;
      const field = element?.closest<HTMLElement>("[data-room-field]");
      announceField(awareness, field?.dataset.roomField ?? null);
    };
    document.addEventListener("focusin", onFocusIn);
    return () => document.removeEventListener("focusin", onFocusIn);
  }, [awareness]);

  const clearFieldError = useCallback((fieldId: string) => {
    setFieldErrors((current) => {
      if (!Object.hasOwn(current, fieldId)) return current;
      const { [fieldId]: _fixed, ...rest } = current;
      return rest;
    });
  }, []);

  const setValue = useCallback(
    (fieldId: string, value: unknown) => {
      if (!doc || !editable) return;
      setLabelValue(doc, fieldId, value as number | string | string[] | undefined);
      clearFieldError(fieldId);
    },
    [doc, editable, clearFieldError],
  );

  const markSelection = useCallback(
    (fieldId: string, category: string) => {
      const field = template.fields.find((candidate) => candidate.id === fieldId);
      if (!doc || !editable || field?.type !== "spans") return;
      const selection = window.getSelection();
      let marked: { responseId: string; start: number; end: number } | null = null;
      readerRefs.current.forEach((reader, index) => {
        if (!reader || marked) return;
        const range = sourceRangeOfSelection(reader, selection);
        if (range) marked = { responseId: responses[index].id, ...range };
      });
      if (!marked) {
        setAnnouncement("Select some text in a response first.");
        return;
      }
      const { responseId, start: selectedStart, end: selectedEnd } = marked;
      const text = responses.find((response) => response.id === responseId)?.text ?? "";
      const trimmed = trimSelection(text, selectedStart, selectedEnd);
      if (!trimmed) {
        setAnnouncement("Only spaces and punctuation are selected: select the words to mark.");
        return;
      }
      const { start, end } = trimmed;
      const duplicate = spansOf(doc, field.id).find(
        (span) =>
          span.responseId === responseId &&
          span.start === start &&
          span.end === end &&
          span.category === category,
      );
      let spanId = duplicate?.id;
      if (!duplicate) {
        spanId = addSpan(doc, field.id, {
          responseId,
          start,
          end,
          text: text.slice(start, end),
          category,
          severity: field.severities[0],
        });
        clearFieldError(field.id);
      }
      lastMarked.current = spanId ? { fieldId: field.id, spanId } : null;
      selection?.collapseToEnd();
      setAnnouncement(`Marked “${text.slice(start, end)}” as ${category}.`);
    },
    [doc, editable, template.fields, responses, clearFieldError],
  );

  const setLastMarkedSeverity = useCallback(
    (severity: string) => {
      const marked = lastMarked.current;
      // The span may be gone: someone else in the room removed it meanwhile.
      if (!doc || !marked || !updateSpan(doc, marked.fieldId, marked.spanId, { severity })) {
        setAnnouncement("Mark a span first, then set its severity.");
        return;
      }
      setAnnouncement(`Severity ${severity}.`);
    },
    [doc],
  );

  const firstSpansField = template.fields.find((field) => field.type === "spans");
  const { focusField } = useRoomShortcuts({
    keymap,
    template,
    label: state.label,
    responses,
    editable,
    fieldsRef,
    readerRefs,
    rankCursor,
    setRankCursor: (fieldId, index) =>
      setRankCursor((current) => ({ ...current, [fieldId]: index })),
    setValue,
    markSelection: (category) => {
      if (firstSpansField) markSelection(firstSpansField.id, category);
    },
    setSeverity: setLastMarkedSeverity,
    announce: setAnnouncement,
    onSubmitChord: () => publishRef.current?.focus(),
    toggleLegend: () => setLegendOpen((open) => !open),
  });

  // An editor arrives at the draft's first field, as on the labeling page: the number keys and
  // arrows act on the field that has the focus, and on nothing without one. Once, when the
  // room has first loaded, and only if nothing has the focus yet: someone who has clicked into
  // the page keeps their place, and a later load (a restart, a reopening) moves nothing.
  const arrived = useRef(false);
  useEffect(() => {
    if (!room.loaded || arrived.current) return;
    arrived.current = true;
    const focused = document.activeElement;
    if (editable && (!focused || focused === document.body)) focusField(0);
  }, [room.loaded, editable, focusField]);

  const onApiFieldErrors = useCallback(
    (errors: ApiFieldError[]) => {
      const byField: Record<string, string> = {};
      const general: string[] = [];
      for (const error of errors) {
        const fieldId = fieldOfError(template, error.field);
        if (fieldId) {
          byField[fieldId] = ownEntry(byField, fieldId) ?? sentence(readableError(error.message));
        } else general.push(`${error.field}: ${error.message}`);
      }
      setFieldErrors(byField);
      setGeneralErrors(general);
      const first = template.fields.find((field) => Object.hasOwn(byField, field.id));
      if (first) {
        fieldsRef.current
          ?.querySelector(`[data-room-field="${CSS.escape(first.id)}"]`)
          ?.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    },
    [template],
  );

  const highlightsByResponse = useMemo(() => {
    const byResponse = new Map<string, MarkdownHighlight[]>();
    for (const field of template.fields) {
      if (field.type !== "spans") continue;
      const spans = (ownEntry(state.label, field.id) as SpanAnnotation[] | undefined) ?? [];
      spans.forEach((span, index) => {
        const list = byResponse.get(span.responseId) ?? [];
        list.push({
          start: span.start,
          end: span.end,
          label: `${span.category} (${span.severity})`,
          tone: Math.max(0, field.categories.indexOf(span.category)),
          active: activeSpan?.fieldId === field.id && activeSpan.index === index,
        });
        byResponse.set(span.responseId, list);
      });
    }
    return byResponse;
  }, [template.fields, state.label, activeSpan]);

  const disagreements = useMemo(
    () => voteDisagreements(template, data.disputePolicy, state.votes),
    [template, data.disputePolicy, state.votes],
  );
  const tallies = useMemo(() => voteTallies(template, state.votes), [template, state.votes]);
  // Only a quorum rule counts approvals, and only of the label as it is now.
  const digest = useMemo(
    () =>
      data.publishRule.kind === "quorum"
        ? draftDigest(template, item.responses, state.label)
        : null,
    [data.publishRule.kind, template, item.responses, state.label],
  );

  const anchors: AnchorChoice[] = useMemo(() => {
    const choices: AnchorChoice[] = [{ key: "general", label: "The item as a whole" }];
    for (const field of template.fields) {
      choices.push({
        key: anchorKey({ fieldId: field.id }),
        fieldId: field.id,
        label: field.label,
      });
      if (field.type !== "spans") continue;
      for (const span of (ownEntry(state.label, field.id) as SpanAnnotation[] | undefined) ?? []) {
        if (!span.id) continue;
        const response = responses.find((candidate) => candidate.id === span.responseId);
        const quote = response?.text.slice(span.start, span.end) ?? "";
        choices.push({
          key: anchorKey({ spanId: span.id }),
          fieldId: field.id,
          spanId: span.id,
          label: `${field.label}: “${quote.length > 48 ? `${quote.slice(0, 48)}…` : quote}”`,
        });
      }
    }
    return choices;
  }, [template.fields, state.label, responses]);
  const openComments = useMemo(() => openCommentCounts(state.comments), [state.comments]);

  return (
    <div className="room" data-room-status={state.meta.status} data-room-loaded={room.loaded}>
      <RoomBar
        breadcrumb={
          <>
            <Link to={`/projects/${data.project.id}`}>{data.project.name}</Link>
            <span aria-hidden="true"> / </span>
            <Link to={`/projects/${data.project.id}/items/${item.id}`} className="mono">
              {item.externalId}
            </Link>
          </>
        }
        title={
          <>
            Adjudication room{" "}
            {published ? (
              <span className="badge badge-ok">Published · version {state.meta.version}</span>
            ) : state.prepared ? (
              <span className="badge">Draft of version {state.meta.version}</span>
            ) : null}
          </>
        }
        participants={participants}
        fieldLabel={fieldLabel}
        save={room.save}
        observing={!editor}
      >
        <button
          type="button"
          className="button button-quiet button-small"
          aria-expanded={legendOpen}
          onClick={() => setLegendOpen((open) => !open)}
        >
          Shortcuts <kbd className="kbd">{describeChord(keymap.toggleLegend?.[0] ?? "?")}</kbd>
        </button>
      </RoomBar>
      <ConnectionNotices
        lostChange={room.lostChange}
        refusal={room.save.refusal}
        onRestart={room.restart}
        access={{ projectId: data.project.id, itemId: item.id }}
      />
      {!editor ? (
        <p className="notice" data-testid="read-only-notice">
          You are watching this room. Only the panel and the project’s leads edit it.
        </p>
      ) : published ? (
        <p className="notice">
          This room is published and read-only
          {may.reopen ? "; reopen it to start the next version." : "."}
        </p>
      ) : null}
      {room.loaded && !state.prepared ? (
        <p className="notice">The panel has not opened this room yet.</p>
      ) : null}

      <div className={legendOpen ? "room-body with-legend" : "room-body"}>
        <div className="room-main">
          <PromptView prompt={item.prompt} />
          <ResponseReaders
            responses={responses}
            highlightsByResponse={highlightsByResponse}
            readerRefs={readerRefs}
            keymap={keymap}
          />

          <VoteBoard
            template={template}
            votes={state.votes}
            disagreements={disagreements}
            tallies={tallies}
            members={members}
            viewer={viewer}
            responses={responses}
            draft={state.label}
            mayVote={may.vote && editable}
            mayEditDraft={editable}
            onVote={(fieldId, value) => {
              if (doc && viewer.memberId !== null) setVote(doc, viewer.memberId, fieldId, value);
            }}
            onAdoptSpan={(fieldId, span) => {
              // Someone may have added it since this page showed the button.
              if (!doc || !editable || spansOf(doc, fieldId).some((d) => sameSpanMark(d, span))) {
                return;
              }
              const { id: _voteSpanId, ...copy } = span;
              addSpan(doc, fieldId, copy);
            }}
          />

          <Suggestions itemId={item.id} template={template} responses={responses} />

          <section className="draft card" aria-labelledby="draft-heading">
            <div className="draft-head">
              <h2 id="draft-heading" className="section-label">
                Draft label
              </h2>
              <p className="muted small">
                {published
                  ? "As published."
                  : editable
                    ? "Everyone here edits this draft together; changes save as you make them."
                    : "The panel’s draft, as it is being written."}
              </p>
            </div>
            {generalErrors.length > 0 ? (
              <ul className="error-list" role="alert">
                {generalErrors.map((error) => (
                  <li key={error}>{error}</li>
                ))}
              </ul>
            ) : null}
            <DraftFields
              ref={fieldsRef}
              doc={doc}
              awareness={awareness}
              template={template}
              label={state.label}
              responses={responses}
              keymap={keymap}
              errors={fieldErrors}
              readOnly={!editable}
              participants={participants}
              openComments={openComments}
              rankCursor={rankCursor}
              onRankCursor={(fieldId, index) =>
                setRankCursor((current) => ({ ...current, [fieldId]: index }))
              }
              activeSpan={activeSpan}
              onActiveSpan={setActiveSpan}
              onChange={setValue}
              onMarkSelection={markSelection}
              onComment={(anchor) => {
                setTarget(anchorKey(anchor));
                composerRef.current?.focus();
              }}
            />
          </section>
        </div>

        <aside className="room-side" aria-label="Publication and discussion">
          {data.guidelines ? <GuidelinesDisclosure guidelines={data.guidelines} /> : null}
          <div ref={publishSectionRef} className="room-publish-anchor">
            <PublishPanel
              ref={publishRef}
              itemId={item.id}
              meta={state.meta}
              may={may}
              rule={data.publishRule}
              members={members}
              viewer={viewer}
              allSaved={room.save.state === "saved"}
              publishedRationale={publishedVersion?.rationale ?? null}
              draftDigest={digest}
              onFieldErrors={onApiFieldErrors}
            />
          </div>
          {data.panelCandidates ? <PanelInvite candidates={data.panelCandidates} /> : null}
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
          {legendOpen ? (
            <ShortcutLegend
              keymap={keymap}
              fields={template.fields}
              responseCount={responses.length}
              descriptions={{ submit: "Go to the Publish button", skip: null }}
              features={{ severityKey: true }}
              note="In a text box, hold Alt with a key (Alt+J for the next field); Esc leaves the text box."
            />
          ) : null}
        </aside>
      </div>
      {!published && (may.publish || may.approve) ? (
        <div className="room-action-bar" data-testid="room-action-bar">
          <SaveStatus save={room.save} observing={!editor} echo />
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              publishSectionRef.current?.scrollIntoView({ block: "start" });
              publishSectionRef.current
                ?.querySelector<HTMLElement>("textarea, button:not(:disabled)")
                ?.focus({ preventScroll: true });
            }}
          >
            {may.publish ? `Publish version ${state.meta.version ?? ""}`.trim() : "Approve"}…
          </button>
        </div>
      ) : null}
      <div aria-live="polite" className="visually-hidden">
        {announcement}
      </div>
    </div>
  );
}
