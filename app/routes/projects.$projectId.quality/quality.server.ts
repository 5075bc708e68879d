import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { projectQuality } from "../../../server/services/quality.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

export async function loadQuality(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "project.viewQuality");
  // Exact, as the page is; the server's closing signal lets a process that has just started
  // answer from the stored figures while it computes its own behind.
  const quality = await projectQuality(context.quorum.db, page.user, page.projectId, {
    maxStaleMs: 0,
    refreshUntil: context.quorum.closing,
  }).catch(throwAsRouteError);
  return { navigation: page.navigation, quality };
}
