import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef, useState } from "react";
import { ErrorList, FormAlert } from "~/components/field.tsx";
import {
  ItemContent,
  katexStylesUrl,
  markdownStylesUrl,
} from "~/components/project/item-content.tsx";
import { LabelView } from "~/components/project/label-view.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { responseName } from "~/components/project/response-name.ts";
import { ReviewComments } from "~/components/project/review-comments.tsx";
import { VerdictBadge } from "~/components/project/status-badge.tsx";
import { TextAreaField } from "~/components/project/text-area-field.tsx";
import type { ItemResponse } from "~/domain/item.ts";
import { spanOffsetProblems } from "~/domain/span-offsets.ts";
import type { SpanAnnotation, Template } from "~/domain/template.ts";
import projectStylesUrl from "~/styles/project.css?url";
import { useActivityHeartbeat } from "~/utils/activity.ts";
import { formatDateTime } from "~/utils/format.ts";
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

interface CommentDraft {
  key: number;
  fieldId: string;
  responseId: string;
  start: string;
  end: string;
}

const emptyDraft = (key: number): CommentDraft => ({
  key,
  fieldId: "",
  responseId: "",
  start: "",
  end: "",
});

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
      <div className="stack-large">
        <section className="card" aria-labelledby="item-heading">
          <h2 id="item-heading">Item</h2>
          <ItemContent prompt={item.prompt} responses={item.responses} formats={contentFormats} />
        </section>
        {review.verdict === "pending" ? (
          <DecisionForm
            key={review.id}
            template={item.template}
            responses={item.responses}
            label={review.label}
            annotator={review.annotator}
          />
        ) : (
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
        )}
      </div>
    </>
  );
}

/** What a comment's span offsets quote, or why they quote nothing. */
function AnchorQuote({ draft, responses }: { draft: CommentDraft; responses: ItemResponse[] }) {
  const response = responses.find((candidate) => candidate.id === draft.responseId);
  if (!response || draft.start === "" || draft.end === "") return null;
  const span = { start: Number(draft.start), end: Number(draft.end) };
  const [problem] = spanOffsetProblems(response.text, span);
  return (
    <p className="muted small" aria-live="polite">
      {problem ? (
        problem.message
      ) : (
        <>
          Quotes <q className="span-excerpt">{response.text.slice(span.start, span.end)}</q>
        </>
      )}
    </p>
  );
}

function DecisionForm({
  template,
  responses,
  label,
  annotator,
}: {
  template: Template;
  responses: ItemResponse[];
  label: Record<string, unknown>;
  annotator: string;
}) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = actionData?.errors;
  const [drafts, setDrafts] = useState<CommentDraft[]>([emptyDraft(0)]);
  const nextKey = useRef(1);
  const formRef = useRef<HTMLFormElement>(null);
  const submittingVerdict = navigation.formData?.get("verdict");

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
        !draft.start &&
        !draft.end &&
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
      <Form method="post" ref={formRef} className="stack project-form decision-form" noValidate>
        <FormAlert errors={errors?.formErrors} />
        <fieldset className="comment-fieldset">
          <legend>Comments</legend>
          <p className="field-hint">
            {annotator} sees these with your verdict. Anchor a comment to a field, and to a span of
            a response with “Comment on this span” or by its start and end offsets (UTF-16 code
            units, end exclusive; the text they quote is shown). Correcting or rejecting needs at
            least one comment.
          </p>
          <ErrorList errors={errors?.fieldErrors.comments} />
          {drafts.map((draft, index) => (
            <div
              key={draft.key}
              className="comment-row"
              role="group"
              aria-label={`Comment ${index + 1}`}
            >
              <div className="comment-anchor">
                <div className="field">
                  <label htmlFor={`comment-field-${draft.key}`}>Field</label>
                  <select
                    id={`comment-field-${draft.key}`}
                    name="comment-fieldId"
                    value={draft.fieldId}
                    onChange={(event) => updateDraft(draft.key, { fieldId: event.target.value })}
                  >
                    <option value="">The label as a whole</option>
                    {template.fields.map((field) => (
                      <option key={field.id} value={field.id}>
                        {field.label}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`comment-response-${draft.key}`}>Span in</label>
                  <select
                    id={`comment-response-${draft.key}`}
                    name="comment-responseId"
                    value={draft.responseId}
                    onChange={(event) => updateDraft(draft.key, { responseId: event.target.value })}
                  >
                    <option value="">No span</option>
                    {responses.map((response, position) => (
                      <option key={response.id} value={response.id}>
                        Response {responseName(position)}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field field-narrow">
                  <label htmlFor={`comment-start-${draft.key}`}>From</label>
                  <input
                    id={`comment-start-${draft.key}`}
                    name="comment-start"
                    type="number"
                    min={0}
                    inputMode="numeric"
                    value={draft.start}
                    onChange={(event) => updateDraft(draft.key, { start: event.target.value })}
                  />
                </div>
                <div className="field field-narrow">
                  <label htmlFor={`comment-end-${draft.key}`}>To</label>
                  <input
                    id={`comment-end-${draft.key}`}
                    name="comment-end"
                    type="number"
                    min={1}
                    inputMode="numeric"
                    value={draft.end}
                    onChange={(event) => updateDraft(draft.key, { end: event.target.value })}
                  />
                </div>
              </div>
              <AnchorQuote draft={draft} responses={responses} />
              <div className="field">
                <label htmlFor={`comment-text-${draft.key}`}>Comment {index + 1}</label>
                <textarea
                  id={`comment-text-${draft.key}`}
                  name="comment-text"
                  className="textarea"
                  rows={2}
                />
              </div>
              {drafts.length > 1 ? (
                <button
                  type="button"
                  className="button button-quiet button-small"
                  onClick={() =>
                    setDrafts((current) => current.filter((entry) => entry.key !== draft.key))
                  }
                >
                  Remove comment {index + 1}
                </button>
              ) : null}
            </div>
          ))}
          <button type="button" className="button" onClick={() => addComment()}>
            Add a comment
          </button>
        </fieldset>

        <details className="correction" open={Boolean(errors?.fieldErrors.correctedLabel)}>
          <summary>Corrected label (used when you choose Correct)</summary>
          <TextAreaField
            label="Corrected label (JSON)"
            name="correctedLabel"
            rows={12}
            className="textarea mono"
            spellCheck={false}
            defaultValue={JSON.stringify(label, null, 2)}
            hint="Edit the values that are wrong; it must still fit the template. A span's text must be the response text at its offsets: change both, or leave text out."
            errors={errors?.fieldErrors.correctedLabel}
          />
        </details>

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
