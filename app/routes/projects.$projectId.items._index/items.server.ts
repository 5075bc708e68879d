import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { AppError } from "../../../server/errors.ts";
import { publishConsensusItems } from "../../../server/services/publish-consensus.ts";
import {
  itemReference,
  itemSorts,
  itemStatuses,
  listItems,
  MAX_SEARCH_LENGTH,
} from "../../../server/services/items.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const PAGE_SIZE = 50;

/** The list's search and filters, as the page's form sends them and the API reads them. */
const filterNames = ["q", "status", "domain", "annotator", "field", "gold", "from", "to", "sort"];

export async function loadItemList(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params);
  const url = new URL(request.url);
  const filters = Object.fromEntries(
    filterNames.flatMap((name) => {
      const value = url.searchParams.get(name);
      return value ? [[name, value]] : [];
    }),
  );
  const cursor = url.searchParams.get("cursor") || undefined;
  const { db } = context.quorum;
  const { subject } = page;
  const manager = subject.isAdmin || subject.role === "lead";
  const annotator = !manager && subject.role !== "client";
  const model = await loadProjectModel(db, page.projectId).catch(throwAsRouteError);
  // A filter the person may not use, or a malformed one, is said on the page, not as an error page.
  let problem: string | null = null;
  const result = await listItems(db, page.user, page.projectId, {
    ...filters,
    cursor,
    limit: PAGE_SIZE,
  }).catch((error: unknown) => {
    if (error instanceof AppError && error.status === 400) {
      problem = describeRefusal(error);
      return { items: [], total: 0, nextCursor: null };
    }
    return throwAsRouteError(error);
  });
  const domains = await db
    .selectFrom("items")
    .select("domain")
    .distinct()
    .where("project_id", "=", page.projectId)
    .where("domain", "is not", null)
    .orderBy("domain")
    .execute()
    .catch(throwAsRouteError);
  const annotators = manager
    ? await db
        .selectFrom("project_members")
        .innerJoin("users", "users.id", "project_members.user_id")
        .select(["users.id", "users.name"])
        .where("project_members.project_id", "=", page.projectId)
        .where("project_members.role", "in", ["annotator", "lead"])
        .orderBy("users.name")
        .execute()
        .catch(throwAsRouteError)
    : [];
  const fieldLabels = new Map(model.template.fields.map((field) => [field.id, field.label]));
  // What a lead's "publish every consensus" would publish, said before they confirm.
  const consensusCount = manager
    ? await db
        .selectFrom("items")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("project_id", "=", page.projectId)
        .where("status", "=", "consensus")
        .executeTakeFirstOrThrow()
        .then((row) => Number(row.count))
        .catch(throwAsRouteError)
    : null;
  return {
    consensusCount,
    navigation: page.navigation,
    statuses: itemStatuses,
    sorts: annotator ? itemSorts.filter((sort) => sort === "id" || sort === "-id") : itemSorts,
    maxSearchLength: MAX_SEARCH_LENGTH,
    filters: filters as Partial<Record<string, string>>,
    problem: problem as string | null,
    may: { filterByOutcome: !annotator, filterByAnnotatorAndGold: manager },
    domains: domains.flatMap((row) => (row.domain === null ? [] : [row.domain])),
    annotators,
    fields: model.template.fields.map((field) => ({ id: field.id, label: field.label })),
    firstPage: cursor === undefined,
    total: result.total,
    items: result.items.map((item) => ({
      id: item.id,
      externalId: itemReference(item),
      preview: item.preview,
      domain: item.domain,
      status: item.status ?? null,
      labelCount: item.labelCount ?? null,
      submittedByYou: item.submittedByYou,
      invitedToPanel: item.invitedToPanel,
      disputedFields: (item.disputedFields ?? []).map((id) => fieldLabels.get(id) ?? id),
    })),
    nextCursor: result.nextCursor === null ? null : String(result.nextCursor),
  };
}

/**
 * A lead publishes every consensus item at once (`POST /api/v1/projects/:id/publish-consensus`):
 * the page shows how many were published and each item skipped with its reason.
 */
export async function publishConsensusFromList(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params, "item.publish");
  const outcome = await publishConsensusItems(context.quorum, page.user, page.projectId).catch(
    throwAsRouteError,
  );
  return data({ bulkPublish: outcome });
}

/** A refused query in a sentence: which parameter, and what was wrong with it. */
function describeRefusal(error: AppError): string {
  const issues = Array.isArray(error.details) ? (error.details as unknown[]) : [];
  const first = issues[0] as { field?: unknown; message?: string } | undefined;
  if (typeof first?.field !== "string" || first.field === "(root)") return error.message;
  return `Check “${first.field}”: ${first.message ?? "not a valid value"}.`;
}
