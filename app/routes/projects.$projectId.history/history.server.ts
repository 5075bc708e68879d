import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { idParameter } from "../../../server/ids.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { listOwnAnnotations } from "../../../server/services/review.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import type { ReviewComment } from "~/components/project/review-comments.tsx";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const labelSchema = z.record(z.string(), z.unknown());

/** The caller's labels, a page at a time (`?before=<id>` for the labels older than that id). */
export async function loadHistory(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "item.annotate");
  const before = idParameter.safeParse(
    new URL(request.url).searchParams.get("before") ?? undefined,
  );
  const { db } = context.quorum;
  const model = await loadProjectModel(db, page.projectId).catch(throwAsRouteError);
  const { annotations, total, reviewed, nextCursor } = await listOwnAnnotations(
    db,
    page.user,
    page.projectId,
    { cursor: before.success ? before.data : undefined },
  ).catch(throwAsRouteError);
  return {
    navigation: page.navigation,
    template: model.template,
    total,
    reviewed,
    olderThanPage: nextCursor,
    isFirstPage: !before.success,
    annotations: annotations.map((annotation) => ({
      id: annotation.id,
      item: annotation.item,
      label: labelSchema.parse(annotation.label),
      submittedAt: annotation.submittedAt,
      durationMs: annotation.durationMs,
      review: annotation.review
        ? {
            verdict: annotation.review.verdict,
            comments: annotation.review.comments as ReviewComment[],
            correctedLabel:
              annotation.review.correctedLabel === null
                ? null
                : labelSchema.parse(annotation.review.correctedLabel),
            decidedAt: annotation.review.decidedAt,
          }
        : null,
    })),
  };
}
