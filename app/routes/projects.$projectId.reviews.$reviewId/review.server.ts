import { data, redirect, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { User } from "../../../db/schema.ts";
import { promptSchema, responseSchema } from "~/domain/item.ts";
import { getItemForUser } from "../../../server/services/items.ts";
import { decideReview, getReview, listReviews } from "../../../server/services/review.ts";
import { prepareItemContent } from "~/components/markdown/prepare-content.server.ts";
import { appErrorToFormErrors, parseJsonField } from "~/components/project/form-errors.server.ts";
import { loadProjectPage, routeId } from "~/components/project/project-page.server.ts";
import type { ReviewComment } from "~/components/project/review-comments.tsx";
import { formTextErrors, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

const labelSchema = z.record(z.string(), z.unknown());

async function findReview(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "item.review");
  const reviewId = routeId(params.reviewId, "review");
  const review = await getReview(context.quorum.db, page.user, page.projectId, reviewId).catch(
    throwAsRouteError,
  );
  return { page, review };
}

/** How many reviews are pending, and the first other than this one: where the lead goes next. */
async function otherPending(
  context: AppLoadContext,
  page: { user: User; projectId: number },
  reviewId: number,
) {
  const { reviews, total } = await listReviews(context.quorum.db, page.user, page.projectId, {
    limit: 2,
  });
  return { next: reviews.find((candidate) => candidate.id !== reviewId) ?? null, total };
}

export async function loadReview(request: Request, context: AppLoadContext, params: Params) {
  const { page, review } = await findReview(request, context, params);
  const view = await getItemForUser(context.quorum.db, page.user, review.item.id).catch(
    throwAsRouteError,
  );
  const { total: pending } = await otherPending(context, page, review.id);
  const prompt = promptSchema.parse(view.item.prompt);
  const responses = z.array(responseSchema).parse(view.item.responses);
  return {
    navigation: page.navigation,
    contentFormats: await prepareItemContent(context, { prompt, responses }),
    review: {
      id: review.id,
      annotationId: review.annotation.id,
      verdict: review.verdict,
      comments: review.comments as ReviewComment[],
      correctedLabel:
        review.correctedLabel === null ? null : labelSchema.parse(review.correctedLabel),
      decidedAt: review.decidedAt,
      annotator: review.annotator.name,
      submittedAt: review.annotation.submittedAt,
      label: labelSchema.parse(review.annotation.label),
    },
    item: {
      id: view.item.id,
      externalId: view.item.externalId,
      prompt,
      responses,
      template: view.item.template,
    },
    pendingLeft: review.verdict === "pending" ? pending - 1 : pending,
  };
}

const optionalText = z
  .string()
  .trim()
  .transform((text) => (text === "" ? undefined : text));

const commentRowSchema = z.object({
  fieldId: optionalText,
  responseId: optionalText,
  start: optionalText,
  end: optionalText,
  text: z.string().trim(),
});

const decisionFormSchema = z.object({
  verdict: z.enum(["accept", "correct", "reject"], { error: "Choose accept, correct or reject" }),
  correctedLabel: z.string().default(""),
});

/**
 * Comment rows arrive as parallel lists, one entry per row. A row with no text and no anchor is
 * an unused row; a row with an anchor but no text is a mistake worth pointing out.
 */
function readComments(formData: FormData, errors: FormErrors): unknown[] {
  const column = (name: string) => formData.getAll(`comment-${name}`).map(String);
  const texts = column("text");
  const [fieldIds, responseIds, starts, ends] = ["fieldId", "responseId", "start", "end"].map(
    column,
  );
  const comments: unknown[] = [];
  texts.forEach((text, index) => {
    const row = commentRowSchema.parse({
      fieldId: fieldIds[index] ?? "",
      responseId: responseIds[index] ?? "",
      start: starts[index] ?? "",
      end: ends[index] ?? "",
      text,
    });
    const anchored = row.fieldId || row.responseId || row.start || row.end;
    if (row.text === "") {
      if (anchored) (errors.fieldErrors.comments ??= []).push(`Comment ${index + 1} has no text`);
      return;
    }
    const hasSpan = row.responseId || row.start || row.end;
    comments.push({
      ...(row.fieldId ? { fieldId: row.fieldId } : {}),
      ...(hasSpan
        ? {
            span: {
              responseId: row.responseId ?? "",
              start: Number(row.start ?? Number.NaN),
              end: Number(row.end ?? Number.NaN),
            },
          }
        : {}),
      text: row.text,
    });
  });
  return comments;
}

export async function submitDecision(request: Request, context: AppLoadContext, params: Params) {
  const { page, review } = await findReview(request, context, params);
  const formData = await request.formData();
  const refuse = (errors: FormErrors) => data({ errors }, { status: 422 });
  const textErrors = formTextErrors(formData);
  if (textErrors) return refuse(textErrors);
  const parsed = decisionFormSchema.safeParse({
    verdict: formData.get("verdict") ?? undefined,
    correctedLabel: formData.get("correctedLabel") ?? undefined,
  });
  if (!parsed.success) {
    return refuse({
      formErrors: parsed.error.issues.map((issue) => issue.message),
      fieldErrors: {},
    });
  }
  const errors: FormErrors = { formErrors: [], fieldErrors: {} };
  const comments = readComments(formData, errors);
  const { verdict } = parsed.data;
  const correctedLabel =
    verdict === "correct"
      ? parseJsonField(parsed.data.correctedLabel, "correctedLabel", errors)
      : undefined;
  if (Object.keys(errors.fieldErrors).length > 0) return refuse(errors);

  try {
    await decideReview(context.quorum, page.user, review.id, {
      verdict,
      comments,
      ...(verdict === "correct" ? { correctedLabel } : {}),
    });
  } catch (error) {
    return refuse(appErrorToFormErrors(error));
  }
  const { next } = await otherPending(context, page, review.id);
  const base = `/projects/${page.projectId}/reviews`;
  return redirect(next ? `${base}/${next.id}` : `${base}?done=1`);
}
