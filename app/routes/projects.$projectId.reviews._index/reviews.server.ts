import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { listReviews } from "../../../server/services/review.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const DECIDED_SHOWN = 50;

export async function loadReviewQueue(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "item.review");
  const reviews = await listReviews(context.quorum.db, page.user, page.projectId, "all").catch(
    throwAsRouteError,
  );
  const summary = (review: (typeof reviews)[number]) => ({
    id: review.id,
    verdict: review.verdict,
    annotator: review.annotator.name,
    item: review.item,
    submittedAt: review.annotation.submittedAt,
    decidedAt: review.decidedAt,
  });
  return {
    navigation: page.navigation,
    queueEmptied: new URL(request.url).searchParams.get("done") === "1",
    pending: reviews.filter((review) => review.verdict === "pending").map(summary),
    decided: reviews
      .filter((review) => review.verdict !== "pending")
      .sort((a, b) => (b.decidedAt ?? "").localeCompare(a.decidedAt ?? ""))
      .slice(0, DECIDED_SHOWN)
      .map(summary),
  };
}
