import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { idParameter } from "../../../server/ids.ts";
import { listReviews, recentlyDecidedReviews } from "../../../server/services/review.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const DECIDED_SHOWN = 50;

/**
 * The lead's queue: a page of the pending reviews (`?after=<id>` for the page after that id),
 * how many are pending in all, and the latest decisions.
 */
export async function loadReviewQueue(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "item.review");
  const search = new URL(request.url).searchParams;
  const after = idParameter.safeParse(search.get("after") ?? undefined);
  const { db } = context.quorum;
  const [pending, decided] = await Promise.all([
    listReviews(db, page.user, page.projectId, {
      cursor: after.success ? after.data : undefined,
    }),
    recentlyDecidedReviews(db, page.user, page.projectId, DECIDED_SHOWN),
  ]).catch(throwAsRouteError);
  const summary = (review: (typeof decided)[number]) => ({
    id: review.id,
    verdict: review.verdict,
    annotator: review.annotator.name,
    item: review.item,
    submittedAt: review.annotation.submittedAt,
    decidedAt: review.decidedAt,
  });
  return {
    navigation: page.navigation,
    queueEmptied: search.get("done") === "1",
    pending: pending.reviews.map(summary),
    pendingCount: pending.total,
    laterPending: pending.nextCursor,
    decided: decided.map(summary),
  };
}
