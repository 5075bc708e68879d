import type { ItemResponse } from "~/domain/item.ts";
import type { Template } from "~/domain/template.ts";
import { describeSpanPosition, spanExcerpt } from "./label-view.tsx";

export interface ReviewComment {
  fieldId?: string;
  span?: { responseId: string; start: number; end: number; text?: string };
  text: string;
}

/** A reviewer's comments with what each is anchored to: a field, and maybe a span. */
export function ReviewComments({
  comments,
  template,
  responses,
}: {
  comments: ReviewComment[];
  template: Template;
  responses?: ItemResponse[];
}) {
  if (comments.length === 0) return null;
  const fieldLabel = (fieldId: string) =>
    template.fields.find((field) => field.id === fieldId)?.label ?? fieldId;
  return (
    <ul className="review-comments" aria-label="Reviewer's comments">
      {comments.map((comment, index) => {
        const excerpt =
          comment.span?.text ??
          (comment.span && responses
            ? spanExcerpt({ ...comment.span, category: "", severity: "" }, responses)
            : null);
        return (
          <li key={index} className="review-comment">
            {comment.fieldId || comment.span ? (
              <p className="review-comment-anchor">
                {comment.fieldId ? (
                  <span className="badge">{fieldLabel(comment.fieldId)}</span>
                ) : null}
                {comment.span ? (
                  <span className="muted small">
                    {" "}
                    {describeSpanPosition(comment.span, responses ?? [])}
                    {excerpt ? (
                      <>
                        {": "}
                        <q className="span-excerpt">{excerpt}</q>
                      </>
                    ) : null}
                  </span>
                ) : null}
              </p>
            ) : null}
            <p className="review-comment-text">{comment.text}</p>
          </li>
        );
      })}
    </ul>
  );
}
