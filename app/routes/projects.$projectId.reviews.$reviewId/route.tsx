import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  type ClientActionFunctionArgs,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type Dispatch,
  type FormEvent,
  type MutableRefObject,
  type SetStateAction,
} from "react";
import { ErrorList, FormAlert } from "~/components/field.tsx";
import type { ActiveSpan, ResponseInfo } from "~/components/labeling/fields.tsx";
import { missingAnswers, spansValue, type DraftLabel } from "~/components/labeling/label-draft.ts";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import type { ContentFormats } from "~/components/markdown/content-formats.ts";
import { PreparedMarkdown } from "~/components/markdown/prepared-markdown.tsx";
import type { MarkdownHighlight } from "~/components/markdown/render.tsx";
import {
  ItemContent,
  ItemPrompt,
  katexStylesUrl,
  markdownStylesUrl,
  ResponseHeading,
} from "~/components/project/item-content.tsx";
import { LabelView } from "~/components/project/label-view.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { responseName } from "~/components/project/response-name.ts";
import { ReviewComments } from "~/components/project/review-comments.tsx";
import { VerdictBadge } from "~/components/project/status-badge.tsx";
import type { ItemResponse, Prompt } from "~/domain/item.ts";
import type { SpanAnnotation, Template } from "~/domain/template.ts";
import projectStylesUrl from "~/styles/project.css?url";
import { useActivityHeartbeat } from "~/utils/activity.ts";
import { formatDateTime } from "~/utils/format.ts";
import { reachServerAction, wasUnreachable } from "~/utils/unreachable.ts";
import {
  CorrectionFields,
  changedFieldIds,
  comparableLabel,
  correctionErrorsByField,
} from "./correction-editor.tsx";
import { selectedResponseSpan, selectionProblem } from "./response-selection.ts";
import { loadReview, submitDecision } from "./review.server.ts";
import { useLeaveGuard } from "./use-leave-guard.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: katexStylesUrl },
  { rel: "stylesheet", href: markdownStylesUrl },
  { rel: "stylesheet", href: projectStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Review ${data.item.externalId} · ${data.navigation.name} · Quorum`
      : "Review · Quorum",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadReview(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return submitDecision(request, context, params);
}

/**
 * A decision that cannot reach the server keeps the lead on the review, their comments and
 * correction still in the form, and says so, rather than replacing the page with the error page.
 */
export async function clientAction({ serverAction }: ClientActionFunctionArgs) {
  return reachServerAction(() => serverAction<typeof action>());
}

/**
 * After any answer from the server the page shows what it now holds (after a conflict, the
 * review as another decided it); after no answer there is nothing new to show.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult }) =>
  !wasUnreachable(actionResult);

type Verdict = "accept" | "correct" | "reject";

/** A decision as the lead sent it, kept to give its comments back if it is refused. */
interface SentDecision {
  reviewId: number;
  verdict: Verdict;
  /** Each comment with text, readable on its own. */
  comments: string[];
}

const unreachableMessage =
  "Could not reach Quorum — your decision was not sent; your comments and correction are kept on this page. Check your connection, then try again.";

export default function ReviewPage() {
  const { navigation, review, item, pendingLeft, contentFormats } = useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof clientAction>() ?? null;
  const [sent, setSent] = useState<SentDecision | null>(null);
  const reviewId = review.id;
  const onSend = useCallback(
    (decision: Omit<SentDecision, "reviewId">) => setSent({ reviewId, ...decision }),
    [reviewId],
  );
  // A decision refused because the review was decided meanwhile (in another tab, or by another
  // lead): the page now shows that decision, and gives back what this one said.
  const refusal =
    review.verdict !== "pending" &&
    sent?.reviewId === review.id &&
    actionResult !== null &&
    !wasUnreachable(actionResult)
      ? { sent, errors: actionResult.errors }
      : null;
  const base = `/projects/${navigation.id}/reviews`;
  // The review's working time is measured from the page's heartbeats (and its room's presence).
  useActivityHeartbeat(
    review.verdict === "pending" ? `/api/v1/reviews/${review.id}/heartbeat` : null,
  );
  return (
    <>
      <ProjectHeader project={navigation} />
      <p className="project-breadcrumb">
        <Link to={base}>Review queue</Link>
        {pendingLeft > 0 ? <span className="muted"> · {pendingLeft} more waiting</span> : null}
      </p>
      <div className="page-heading">
        <h1>
          Review: <span className="mono">{item.externalId}</span>
        </h1>
        <p className="muted">
          {review.annotator}, submitted {formatDateTime(review.submittedAt)}
        </p>
        <Link to={`/reviews/${review.annotationId}/room`}>
          Discuss live with {review.annotator}
        </Link>
      </div>
      {refusal ? (
        <DecisionRefusal
          sent={refusal.sent}
          messages={[
            ...refusal.errors.formErrors,
            ...Object.values(refusal.errors.fieldErrors).flatMap((list) => list ?? []),
          ]}
        />
      ) : null}
      {review.verdict === "pending" ? (
        <ReviewWorkspace
          key={review.id}
          onSend={onSend}
          template={item.template}
          prompt={item.prompt}
          responses={item.responses}
          formats={contentFormats}
          label={review.label}
          annotator={review.annotator}
        />
      ) : (
        <div className="stack-large">
          <section className="card" aria-labelledby="item-heading">
            <h2 id="item-heading">Item</h2>
            <ItemContent prompt={item.prompt} responses={item.responses} formats={contentFormats} />
          </section>
          <section className="card" aria-labelledby="decided-heading">
            <h2 id="decided-heading">
              <VerdictBadge verdict={review.verdict} />{" "}
              {review.decidedAt ? (
                <span className="muted small">{formatDateTime(review.decidedAt)}</span>
              ) : null}
            </h2>
            <h3>{review.annotator}&apos;s label</h3>
            <LabelView template={item.template} label={review.label} responses={item.responses} />
            <ReviewComments
              comments={review.comments}
              template={item.template}
              responses={item.responses}
            />
            {review.correctedLabel ? (
              <>
                <h3>Corrected label</h3>
                <LabelView
                  template={item.template}
                  label={review.correctedLabel}
                  responses={item.responses}
                />
              </>
            ) : null}
          </section>
        </div>
      )}
    </>
  );
}

/**
 * Says that the lead's decision was not stored, and why, above the review as it now stands: it
 * takes the focus, so that a keyboard or screen reader user learns of it first, and gives back
 * the comments to copy.
 */
function DecisionRefusal({ sent, messages }: { sent: SentDecision; messages: string[] }) {
  const alertRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    alertRef.current?.focus();
  }, [sent]);
  return (
    <div ref={alertRef} role="alert" tabIndex={-1} className="form-alert stack">
      <p>
        <strong>Your decision to {sent.verdict} was not saved.</strong>{" "}
        {messages.map((message) => message.replace(/\.?$/, ".")).join(" ")}
      </p>
      {sent.comments.length > 0 ? (
        <div className="field">
          <label htmlFor="refused-comments">Your comments as you sent them, to copy:</label>
          <textarea
            id="refused-comments"
            className="textarea"
            readOnly
            rows={Math.min(8, sent.comments.length * 2)}
            value={sent.comments.join("\n\n")}
          />
        </div>
      ) : null}
    </div>
  );
}

interface CommentDraft {
  key: number;
  fieldId: string;
  responseId: string;
  start: string;
  end: string;
  /** Why the last attempt to anchor this comment to the selection anchored nothing. */
  anchorProblem: string;
  text: string;
}

const emptyDraft = (key: number): CommentDraft => ({
  key,
  fieldId: "",
  responseId: "",
  start: "",
  end: "",
  anchorProblem: "",
  text: "",
});

const isAnchored = (draft: CommentDraft) =>
  Boolean(draft.fieldId || draft.responseId || draft.start || draft.end);

/**
 * A pending review: the item with its responses readable and selectable, the junior's label,
 * and the decision: comments anchored to fields and to text selected in a response, and a
 * correction made with the labeling page's fields.
 */
function ReviewWorkspace({
  template,
  prompt,
  responses,
  formats,
  label,
  annotator,
  onSend,
}: {
  template: Template;
  prompt: Prompt;
  responses: ItemResponse[];
  formats: ContentFormats;
  label: DraftLabel;
  annotator: string;
  onSend: (decision: Omit<SentDecision, "reviewId">) => void;
}) {
  const responseInfos = useMemo<ResponseInfo[]>(
    () =>
      responses.map((response, index) => ({
        id: response.id,
        text: response.text,
        letter: responseName(index),
      })),
    [responses],
  );
  const readerRefs = useRef<Array<HTMLElement | null>>([]);
  const [corrected, setCorrected] = useState<DraftLabel>(label);
  const [activeSpan, setActiveSpan] = useState<ActiveSpan>(null);
  const [announcement, setAnnouncement] = useState("");

  const highlightsByResponse = useMemo(() => {
    const byResponse = new Map<string, MarkdownHighlight[]>();
    for (const field of template.fields) {
      if (field.type !== "spans") continue;
      spansValue(corrected, field.id).forEach((span, index) => {
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
  }, [template.fields, corrected, activeSpan]);

  return (
    <ContentFormatsProvider formats={formats}>
      <div className="stack-large">
        <section className="card" aria-labelledby="item-heading">
          <h2 id="item-heading">Item</h2>
          <div className="item-content">
            <ItemPrompt prompt={prompt} />
            <div
              className={responses.length > 1 ? "item-responses side-by-side" : "item-responses"}
            >
              {responses.map((response, index) => (
                <section
                  key={response.id}
                  className="item-response"
                  aria-label={`Response ${responseName(index)}`}
                >
                  <ResponseHeading response={response} index={index} />
                  <PreparedMarkdown
                    ref={(element) => {
                      readerRefs.current[index] = element;
                    }}
                    source={response.text}
                    highlights={highlightsByResponse.get(response.id) ?? noHighlights}
                    role="region"
                    aria-label={`Response ${responseName(index)} text: select text to mark a span or anchor a comment`}
                    data-reader={response.id}
                  />
                </section>
              ))}
            </div>
          </div>
        </section>
        <DecisionForm
          template={template}
          responses={responses}
          responseInfos={responseInfos}
          readerRefs={readerRefs}
          label={label}
          corrected={corrected}
          onCorrect={setCorrected}
          activeSpan={activeSpan}
          onActiveSpan={setActiveSpan}
          annotator={annotator}
          onAnnounce={setAnnouncement}
          onSend={onSend}
        />
      </div>
      <div aria-live="polite" className="visually-hidden">
        {announcement}
      </div>
    </ContentFormatsProvider>
  );
}

const noHighlights: MarkdownHighlight[] = [];

const verdicts: readonly Verdict[] = ["accept", "correct", "reject"];

/** A comment as its author would read it back: what it is anchored to, then its text. */
function readableComment(draft: CommentDraft, template: Template, responses: ItemResponse[]) {
  const field = template.fields.find((candidate) => candidate.id === draft.fieldId);
  const response = responses.find((candidate) => candidate.id === draft.responseId);
  const quote = response
    ? `“${response.text.slice(Number(draft.start), Number(draft.end))}”`
    : null;
  const anchor = [field?.label, quote].filter(Boolean).join(", ");
  return anchor ? `${anchor}: ${draft.text.trim()}` : draft.text.trim();
}

function DecisionForm({
  template,
  responses,
  responseInfos,
  readerRefs,
  label,
  corrected,
  onCorrect,
  activeSpan,
  onActiveSpan,
  annotator,
  onAnnounce,
  onSend,
}: {
  template: Template;
  responses: ItemResponse[];
  responseInfos: ResponseInfo[];
  readerRefs: MutableRefObject<Array<HTMLElement | null>>;
  label: DraftLabel;
  corrected: DraftLabel;
  onCorrect: Dispatch<SetStateAction<DraftLabel>>;
  activeSpan: ActiveSpan;
  onActiveSpan: (span: ActiveSpan) => void;
  annotator: string;
  onAnnounce: (message: string) => void;
  onSend: (decision: Omit<SentDecision, "reviewId">) => void;
}) {
  const actionResult = useActionData<typeof clientAction>() ?? null;
  const navigation = useNavigation();
  const unreachable = wasUnreachable(actionResult);
  const errors =
    actionResult !== null && !wasUnreachable(actionResult) ? actionResult.errors : null;
  const commentErrors = errors?.fieldErrors.comments ?? [];
  const [drafts, setDrafts] = useState<CommentDraft[]>([emptyDraft(0)]);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [correctionProblem, setCorrectionProblem] = useState<string | null>(null);
  const [rankCursor, setRankCursor] = useState<Record<string, number>>({});
  const nextKey = useRef(1);
  const formRef = useRef<HTMLFormElement>(null);
  const correctionRef = useRef<HTMLFieldSetElement>(null);
  const problemRef = useRef<HTMLDivElement>(null);
  const lastVerdict = useRef<Verdict | null>(null);
  const submittingVerdict = navigation.formData?.get("verdict");
  const busy = navigation.state === "submitting";

  const correctionChanged = useMemo(
    () => changedFieldIds(template, label, corrected, responseInfos).size > 0,
    [template, label, corrected, responseInfos],
  );
  const written = drafts.some((draft) => draft.text.trim() !== "") || correctionChanged;
  useLeaveGuard(
    written,
    "Leave this review? Your comments and correction are not saved, and will be lost.",
  );

  // A refused comment is one with no text: anchored, or the only kind there is when none has
  // any ("say why").
  const noneWritten = drafts.every((draft) => draft.text.trim() === "");
  const invalidComment = (draft: CommentDraft) =>
    commentErrors.length > 0 && draft.text.trim() === "" && (isAnchored(draft) || noneWritten);

  // Each answer from the server moves the focus to what it is about, which also brings it into
  // view: the form's alert, the first comment it refuses, or the correction's first error.
  useEffect(() => {
    if (actionResult === null) return;
    if (wasUnreachable(actionResult) || actionResult.errors.formErrors.length > 0) {
      problemRef.current?.focus();
      return;
    }
    const invalid = formRef.current?.querySelector<HTMLElement>(
      '.comment-fieldset [aria-invalid="true"], .correction [aria-invalid="true"]',
    );
    if (invalid) invalid.focus();
    else if (correctionRef.current?.querySelector(".error-list, .form-alert li")) {
      correctionRef.current.scrollIntoView({ block: "nearest" });
    }
  }, [actionResult]);

  const serverCorrectionErrors = useMemo(
    () => correctionErrorsByField(template, errors?.fieldErrors.correctedLabel ?? []),
    [template, errors],
  );
  const fieldErrors = { ...serverCorrectionErrors.byField, ...clientErrors };

  const changeField = useCallback(
    (fieldId: string, value: unknown) => {
      onCorrect((current) => ({ ...current, [fieldId]: value }));
      setCorrectionProblem(null);
      setClientErrors((current) => {
        if (!Object.hasOwn(current, fieldId)) return current;
        const { [fieldId]: _resolved, ...rest } = current;
        return rest;
      });
    },
    [onCorrect],
  );

  function focusComment(key: number) {
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLTextAreaElement>(`#comment-text-${key}`)?.focus(),
    );
  }

  function addComment(anchor: Partial<CommentDraft> = {}) {
    // An anchored comment fills the first untouched row rather than leaving it empty above.
    const untouched = drafts.find(
      (draft) => !draft.fieldId && !draft.responseId && draft.text === "",
    );
    if (Object.keys(anchor).length > 0 && untouched) {
      updateDraft(untouched.key, anchor);
      focusComment(untouched.key);
      return;
    }
    const key = nextKey.current++;
    setDrafts((current) => [...current, { ...emptyDraft(key), ...anchor }]);
    focusComment(key);
  }

  function updateDraft(key: number, change: Partial<CommentDraft>) {
    setDrafts((current) =>
      current.map((draft) => (draft.key === key ? { ...draft, ...change } : draft)),
    );
  }

  function anchorToSelection(key: number) {
    const selected = selectedResponseSpan(readerRefs.current, responses, window.getSelection());
    if (selected.kind !== "span") {
      updateDraft(key, { anchorProblem: selectionProblem[selected.kind] });
      onAnnounce(selectionProblem[selected.kind]);
      return;
    }
    updateDraft(key, {
      responseId: selected.responseId,
      start: String(selected.start),
      end: String(selected.end),
      anchorProblem: "",
    });
    focusComment(key);
  }

  /**
   * Correcting needs a label that the labeling page would submit, and a change to it. A decision
   * that goes is remembered, to send again if the server cannot be reached and to give its
   * comments back if it is refused.
   */
  function decide(event: FormEvent<HTMLFormElement>) {
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const verdict = verdicts.find(
      (candidate) => submitter instanceof HTMLButtonElement && submitter.value === candidate,
    );
    if (!verdict) return;
    if (verdict === "correct" && !correctionReady(event)) return;
    lastVerdict.current = verdict;
    onSend({
      verdict,
      comments: drafts
        .filter((draft) => draft.text.trim() !== "")
        .map((draft) => readableComment(draft, template, responses)),
    });
  }

  function correctionReady(event: FormEvent<HTMLFormElement>): boolean {
    const missing = missingAnswers(template, corrected);
    setClientErrors(Object.fromEntries(missing));
    const firstMissing = template.fields.find((field) => missing.has(field.id));
    const unchanged = changedFieldIds(template, label, corrected, responseInfos).size === 0;
    const problem = firstMissing
      ? `${firstMissing.label} is required.`
      : unchanged
        ? `The correction is the same as ${annotator}'s label: change a field, or accept.`
        : null;
    setCorrectionProblem(problem);
    if (!problem) return true;
    event.preventDefault();
    correctionRef.current?.scrollIntoView({ block: "nearest" });
    return false;
  }

  function sendAgain() {
    const button = formRef.current?.querySelector<HTMLButtonElement>(
      `button[name="verdict"][value="${lastVerdict.current}"]`,
    );
    if (button) formRef.current?.requestSubmit(button);
  }

  const commentOnSpan = (span: SpanAnnotation, fieldId: string) => (
    <button
      type="button"
      className="button button-quiet button-small"
      onClick={() =>
        addComment({
          fieldId,
          responseId: span.responseId,
          start: String(span.start),
          end: String(span.end),
          anchorProblem: "",
        })
      }
    >
      Comment on this span
    </button>
  );

  return (
    <section className="card" aria-labelledby="decision-heading">
      <h2 id="decision-heading">{annotator}&apos;s label</h2>
      <LabelView
        template={template}
        label={label}
        responses={responses}
        spanAction={commentOnSpan}
      />
      <Form
        method="post"
        ref={formRef}
        className="stack project-form decision-form"
        noValidate
        onSubmit={decide}
      >
        <div ref={problemRef} tabIndex={-1} className="stack">
          <FormAlert errors={unreachable ? [unreachableMessage] : errors?.formErrors} />
          {unreachable ? (
            <button type="button" className="button" onClick={sendAgain} disabled={busy}>
              Try again
            </button>
          ) : null}
        </div>
        <fieldset className="comment-fieldset">
          <legend>Comments</legend>
          <p className="field-hint">
            {annotator} sees these with your verdict. Anchor a comment to a field, and to a span of
            a response with “Comment on this span” or by selecting text in a response and choosing
            “Anchor to the selected text”. Correcting or rejecting needs at least one comment.
          </p>
          <div id="comment-errors" role="alert">
            <ErrorList errors={commentErrors} />
          </div>
          {drafts.map((draft, index) => (
            <CommentRow
              key={draft.key}
              draft={draft}
              invalid={invalidComment(draft)}
              errorId="comment-errors"
              position={index + 1}
              removable={drafts.length > 1}
              template={template}
              responses={responses}
              onChange={(change) => updateDraft(draft.key, change)}
              onAnchorToSelection={() => anchorToSelection(draft.key)}
              onRemove={() =>
                setDrafts((current) => current.filter((entry) => entry.key !== draft.key))
              }
            />
          ))}
          <button type="button" className="button" onClick={() => addComment()}>
            Add a comment
          </button>
        </fieldset>

        <fieldset ref={correctionRef} className="correction">
          <legend>Corrected label (used when you choose Correct)</legend>
          <p className="field-hint">
            It starts as {annotator}&apos;s label; change what is wrong. Each field shows what your
            correction changes. It is checked as an annotator&apos;s label is.
          </p>
          <FormAlert
            errors={[
              ...(correctionProblem ? [correctionProblem] : []),
              ...serverCorrectionErrors.general,
            ]}
          />
          <input
            type="hidden"
            name="correctedLabel"
            value={JSON.stringify(comparableLabel(template, corrected, responseInfos))}
          />
          <CorrectionFields
            template={template}
            responses={responseInfos}
            annotator={annotator}
            original={label}
            label={corrected}
            errors={fieldErrors}
            rankCursor={rankCursor}
            onRankCursor={(fieldId, index) =>
              setRankCursor((current) => ({ ...current, [fieldId]: index }))
            }
            activeSpan={activeSpan}
            onActiveSpan={onActiveSpan}
            readerRefs={readerRefs}
            onChange={changeField}
            onAnnounce={onAnnounce}
          />
        </fieldset>

        <div className="form-actions verdict-actions">
          <button
            type="submit"
            name="verdict"
            value="accept"
            className="button button-primary"
            disabled={busy}
          >
            {submittingVerdict === "accept" ? "Accepting…" : "Accept"}
          </button>
          <button type="submit" name="verdict" value="correct" className="button" disabled={busy}>
            {submittingVerdict === "correct" ? "Saving correction…" : "Correct"}
          </button>
          <button
            type="submit"
            name="verdict"
            value="reject"
            className="button button-danger-quiet"
            disabled={busy}
          >
            {submittingVerdict === "reject" ? "Rejecting…" : "Reject"}
          </button>
        </div>
        <p className="field-hint">
          Rejecting takes the label out of the item; the item goes back to the queue for another
          annotator.
        </p>
      </Form>
    </section>
  );
}

/** One comment: its field, the span of a response it is anchored to, and its text. */
function CommentRow({
  draft,
  invalid,
  errorId,
  position,
  removable,
  template,
  responses,
  onChange,
  onAnchorToSelection,
  onRemove,
}: {
  draft: CommentDraft;
  /** Refused by the server for having no text; `errorId` names the element saying why. */
  invalid: boolean;
  errorId: string;
  position: number;
  removable: boolean;
  template: Template;
  responses: ItemResponse[];
  onChange: (change: Partial<CommentDraft>) => void;
  onAnchorToSelection: () => void;
  onRemove: () => void;
}) {
  const responseIndex = responses.findIndex((response) => response.id === draft.responseId);
  const response = responses[responseIndex];
  const start = Number(draft.start);
  const end = Number(draft.end);
  return (
    <div className="comment-row" role="group" aria-label={`Comment ${position}`}>
      <div className="comment-anchor">
        <div className="field">
          <label htmlFor={`comment-field-${draft.key}`}>Field</label>
          <select
            id={`comment-field-${draft.key}`}
            name="comment-fieldId"
            value={draft.fieldId}
            onChange={(event) => onChange({ fieldId: event.target.value })}
          >
            <option value="">The label as a whole</option>
            {template.fields.map((field) => (
              <option key={field.id} value={field.id}>
                {field.label}
              </option>
            ))}
          </select>
        </div>
        <input type="hidden" name="comment-responseId" value={draft.responseId} />
        <input type="hidden" name="comment-start" value={draft.start} />
        <input type="hidden" name="comment-end" value={draft.end} />
        {response ? (
          <button
            type="button"
            className="button button-quiet button-small"
            onClick={() => onChange({ responseId: "", start: "", end: "" })}
          >
            Remove the span<span className="visually-hidden"> from comment {position}</span>
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            // Keeps the text selection that the click is meant to anchor to.
            onMouseDown={(event) => event.preventDefault()}
            onClick={onAnchorToSelection}
          >
            Anchor to the selected text
            <span className="visually-hidden"> (comment {position})</span>
          </button>
        )}
      </div>
      {response ? (
        <p className="muted small" aria-live="polite">
          Quotes <q className="span-excerpt">{response.text.slice(start, end)}</q> (Response{" "}
          {responseName(responseIndex)}, offsets {start}–{end})
        </p>
      ) : draft.anchorProblem ? (
        <p className="muted small" role="status">
          {draft.anchorProblem}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={`comment-text-${draft.key}`}>Comment {position}</label>
        <textarea
          id={`comment-text-${draft.key}`}
          name="comment-text"
          className="textarea"
          rows={2}
          value={draft.text}
          onChange={(event) => onChange({ text: event.target.value })}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? errorId : undefined}
        />
      </div>
      {removable ? (
        <button type="button" className="button button-quiet button-small" onClick={onRemove}>
          Remove comment {position}
        </button>
      ) : null}
    </div>
  );
}
