import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  useCallback,
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
import {
  CorrectionFields,
  changedFieldIds,
  comparableLabel,
  correctionErrorsByField,
} from "./correction-editor.tsx";
import { selectedResponseSpan, selectionProblem } from "./response-selection.ts";
import { loadReview, submitDecision } from "./review.server.ts";

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

export default function ReviewPage() {
  const { navigation, review, item, pendingLeft, contentFormats } = useLoaderData<typeof loader>();
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
      {review.verdict === "pending" ? (
        <ReviewWorkspace
          key={review.id}
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

interface CommentDraft {
  key: number;
  fieldId: string;
  responseId: string;
  start: string;
  end: string;
  /** Why the last attempt to anchor this comment to the selection anchored nothing. */
  anchorProblem: string;
}

const emptyDraft = (key: number): CommentDraft => ({
  key,
  fieldId: "",
  responseId: "",
  start: "",
  end: "",
  anchorProblem: "",
});

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
}: {
  template: Template;
  prompt: Prompt;
  responses: ItemResponse[];
  formats: ContentFormats;
  label: DraftLabel;
  annotator: string;
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
        />
      </div>
      <div aria-live="polite" className="visually-hidden">
        {announcement}
      </div>
    </ContentFormatsProvider>
  );
}

const noHighlights: MarkdownHighlight[] = [];

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
}) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = actionData?.errors;
  const [drafts, setDrafts] = useState<CommentDraft[]>([emptyDraft(0)]);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [correctionProblem, setCorrectionProblem] = useState<string | null>(null);
  const [rankCursor, setRankCursor] = useState<Record<string, number>>({});
  const nextKey = useRef(1);
  const formRef = useRef<HTMLFormElement>(null);
  const correctionRef = useRef<HTMLFieldSetElement>(null);
  const submittingVerdict = navigation.formData?.get("verdict");

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
        if (!(fieldId in current)) return current;
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
      (draft) =>
        !draft.fieldId &&
        !draft.responseId &&
        !formRef.current?.querySelector<HTMLTextAreaElement>(`#comment-text-${draft.key}`)?.value,
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

  /** Correcting needs a label that the labeling page would submit, and a change to it. */
  function checkCorrection(event: FormEvent<HTMLFormElement>) {
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    if (!(submitter instanceof HTMLButtonElement) || submitter.value !== "correct") return;
    const missing = missingAnswers(template, corrected);
    setClientErrors(missing);
    const firstMissing = template.fields.find((field) => field.id in missing);
    const unchanged = changedFieldIds(template, label, corrected, responseInfos).size === 0;
    const problem = firstMissing
      ? `${firstMissing.label} is required.`
      : unchanged
        ? `The correction is the same as ${annotator}'s label: change a field, or accept.`
        : null;
    setCorrectionProblem(problem);
    if (!problem) return;
    event.preventDefault();
    correctionRef.current?.scrollIntoView({ block: "nearest" });
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
        onSubmit={checkCorrection}
      >
        <FormAlert errors={errors?.formErrors} />
        <fieldset className="comment-fieldset">
          <legend>Comments</legend>
          <p className="field-hint">
            {annotator} sees these with your verdict. Anchor a comment to a field, and to a span of
            a response with “Comment on this span” or by selecting text in a response and choosing
            “Anchor to the selected text”. Correcting or rejecting needs at least one comment.
          </p>
          <ErrorList errors={errors?.fieldErrors.comments} />
          {drafts.map((draft, index) => (
            <CommentRow
              key={draft.key}
              draft={draft}
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
            disabled={navigation.state === "submitting"}
          >
            {submittingVerdict === "accept" ? "Accepting…" : "Accept"}
          </button>
          <button
            type="submit"
            name="verdict"
            value="correct"
            className="button"
            disabled={navigation.state === "submitting"}
          >
            {submittingVerdict === "correct" ? "Saving correction…" : "Correct"}
          </button>
          <button
            type="submit"
            name="verdict"
            value="reject"
            className="button button-danger-quiet"
            disabled={navigation.state === "submitting"}
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
  position,
  removable,
  template,
  responses,
  onChange,
  onAnchorToSelection,
  onRemove,
}: {
  draft: CommentDraft;
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
