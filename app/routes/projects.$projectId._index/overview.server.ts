import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database, User } from "../../../db/schema.ts";
import {
  adjudicationQueue,
  readAdjudicationQueue,
  type QueuedItem,
  type RoomPerson,
} from "../../../server/services/adjudication-queue.ts";
import { labelingStatus } from "../../../server/services/labeling-status.ts";
import { projectProgress } from "../../../server/services/progress.ts";
import { loadProjectModel, type ProjectModel } from "../../../server/services/project-model.ts";
import { seesItemCounts } from "../../../server/services/projects.ts";
import { projectQualityComputation } from "../../../server/services/quality-economics.ts";
import { projectThroughput } from "../../../server/services/throughput.ts";
import { exportFormats, signalFieldFor } from "~/domain/export.ts";
import { loadProjectPage, type ProjectPage } from "~/components/project/project-page.server.ts";
import { itemStatusOrder } from "~/utils/format.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const QUEUE_SHOWN = 50;

/**
 * What the overview's dashboard shows those who may see a project's quality: its pace per day
 * and finish estimate, what the work cost (only where the viewer may see costs: the progress
 * leaves them out otherwise), agreement per field and quality per day. Agreement comes from the
 * kept quality computation without its reliability model, which this page does not show.
 */
async function loadDashboard(db: Kysely<Database>, user: User, model: ProjectModel) {
  const [progress, throughput, computation] = await Promise.all([
    projectProgress(db, user, model.id),
    projectThroughput(db, user, model.id),
    projectQualityComputation(db, model),
  ]);
  const fieldLabels = new Map(model.template.fields.map((field) => [field.id, field.label]));
  return {
    throughput,
    costs:
      "costCents" in progress && progress.costCents && progress.costPerPublishedItemCents
        ? {
            costCents: progress.costCents,
            costPerPublishedItemCents: progress.costPerPublishedItemCents,
          }
        : null,
    agreement: computation.agreements().map((field) => ({
      fieldId: field.fieldId,
      label: fieldLabels.get(field.fieldId) ?? field.fieldId,
      metric: field.metric,
      alpha: field.alpha,
      alphaCi: field.alphaCi,
      spanOverlapF1: field.spanF1?.overlap ?? null,
    })),
    qualityOverTime: {
      days: computation.overTime(),
      fieldLabels: Object.fromEntries(fieldLabels),
    },
  };
}

export type OverviewDashboard = Awaited<ReturnType<typeof loadDashboard>>;

/**
 * The adjudication queue as the viewer may see it (server/services/adjudication-queue.ts):
 * leads every item with who is in its room, panel members their own panels' items. Clients get
 * the items, statuses, disputed fields and waits that the item list already shows them, without
 * who is in the rooms, which the API keeps for those who adjudicate; `inRoom` is null for them.
 */
async function loadQueue(context: AppLoadContext, page: ProjectPage, model: ProjectModel) {
  const { quorum } = context;
  const { isAdmin, role } = page.subject;
  const scope: "all" | "panel" | "client" =
    isAdmin || role === "lead" ? "all" : role === "client" ? "client" : "panel";
  let queue: { items: Array<QueuedItem & { inRoom: RoomPerson[] | null }>; total: number };
  if (scope === "client") {
    const { items, total } = await readAdjudicationQueue(quorum.db, page.projectId, {
      panelsOf: null,
      limit: QUEUE_SHOWN,
    });
    queue = { items: items.map((item) => ({ ...item, inRoom: null })), total };
  } else {
    queue = await adjudicationQueue(quorum, page.user, page.projectId, { limit: QUEUE_SHOWN });
  }
  const fieldLabels = new Map(model.template.fields.map((field) => [field.id, field.label]));
  const now = Date.now();
  return {
    scope,
    items: queue.items.map((item) => ({
      id: item.id,
      externalId: item.externalId,
      status: item.status,
      disputedAt: item.disputedAt,
      reopened: item.reopened,
      waitedMs: Math.max(0, now - Date.parse(item.disputedAt)),
      disputedFields: item.disputedFields.map((fieldId) => ({
        id: fieldId,
        label: fieldLabels.get(fieldId) ?? fieldId,
      })),
      inRoom: item.inRoom,
    })),
    total: queue.total,
  };
}

export type OverviewQueue = Awaited<ReturnType<typeof loadQueue>>;

export type OwnWork = NonNullable<Awaited<ReturnType<typeof loadOverview>>["ownWork"]>;

export async function loadOverview(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const page = await loadProjectPage(request, context, params);
  const { db } = context.quorum;
  const model = await loadProjectModel(db, page.projectId).catch(throwAsRouteError);
  const queue = await loadQueue(context, page, model).catch(throwAsRouteError);
  const counts = page.project.itemCounts;
  // Annotators see their own work, not the project's items by status (`seesItemCounts`).
  const ownStatus = seesItemCounts(page.user, page.subject.role)
    ? null
    : await labelingStatus(db, page.user, page.projectId).catch(throwAsRouteError);
  const dashboard = page.navigation.may.viewQuality
    ? await loadDashboard(db, page.user, model).catch(throwAsRouteError)
    : null;
  return {
    navigation: page.navigation,
    project: {
      description: page.project.description,
      overlap: page.project.overlap,
      autoPublishConsensus: page.project.autoPublishConsensus,
      createdAt: page.project.createdAt,
      fieldCount: model.template.fields.length,
    },
    /** The formats this project's template gives data for: pairs need a preference or ranking. */
    exportFormats: page.navigation.may.export
      ? exportFormats.filter((format) => signalFieldFor(model.template, format).ok)
      : [],
    statusCounts: itemStatusOrder.map((status) => ({ status, count: counts[status] ?? 0 })),
    totalItems: Object.values(counts).reduce((sum, count) => sum + count, 0),
    ownWork: ownStatus && {
      state: ownStatus.state,
      doneToday: ownStatus.doneToday,
      doneTotal: ownStatus.doneTotal,
    },
    dashboard,
    queue,
  };
}
