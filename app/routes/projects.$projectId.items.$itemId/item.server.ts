import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { promptSchema, responseSchema } from "~/domain/item.ts";
import { getItemForUser, itemReference } from "../../../server/services/items.ts";
import { prepareItemContent } from "~/components/markdown/prepare-content.server.ts";
import { loadProjectPage, routeId } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const labelSchema = z.record(z.string(), z.unknown());
const outcomeFieldsSchema = z.array(
  z.object({ fieldId: z.string(), disputed: z.boolean(), reason: z.string() }),
);
const versionFlagsSchema = z.array(
  z.object({
    reason: z.enum(["invalid", "consensus_changed"]),
    details: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
);

export async function loadItem(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params);
  const itemId = routeId(params.itemId, "item");
  const view = await getItemForUser(context.quorum.db, page.user, itemId).catch(throwAsRouteError);
  if (view.item.projectId !== page.projectId) {
    throw data(
      { error: { code: "not_found", message: "This project has no such item." } },
      { status: 404 },
    );
  }
  const prompt = promptSchema.parse(view.item.prompt);
  const responses = z.array(responseSchema).parse(view.item.responses);
  return {
    navigation: page.navigation,
    contentFormats: await prepareItemContent(context, { prompt, responses }),
    item: {
      id: view.item.id,
      externalId: itemReference(view.item),
      domain: view.item.domain,
      status: view.item.status ?? null,
      prompt,
      responses,
      goldLabel: view.item.gold?.label ? labelSchema.parse(view.item.gold.label) : null,
      template: view.item.template,
    },
    annotations: view.annotations.map((annotation) => ({
      id: annotation.id,
      annotator: annotation.annotator,
      label: labelSchema.parse(annotation.label),
      submittedAt: annotation.submittedAt,
      source: annotation.source,
      rejected: annotation.rejected,
    })),
    outcome: view.outcome
      ? {
          disputed: view.outcome.disputed,
          fields: outcomeFieldsSchema.parse(view.outcome.fields),
          aggregatedLabel: labelSchema.parse(view.outcome.aggregatedLabel),
          checkedAt: view.outcome.checkedAt,
        }
      : null,
    versions: view.versions.map((version) => ({
      version: version.version,
      label: labelSchema.parse(version.label),
      rationale: version.rationale,
      publishedAt: version.publishedAt,
      flags: versionFlagsSchema.parse("flags" in version ? version.flags : []),
    })),
  };
}
