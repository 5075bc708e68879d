import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import { authorizeDocument } from "../../../server/sync/permissions.ts";
import { getGuidelines } from "../../../server/services/guidelines.ts";
import { getItemForUser, itemReference } from "../../../server/services/items.ts";
import { participantNames } from "../../../server/services/participants.ts";
import { getShortcutOverrides } from "../../../server/services/preferences.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import { listPanel } from "../../../server/services/panel.ts";
import { listProjectMembers } from "../../../server/services/project-admin.ts";
import { addPanelMember, getAdjudication } from "../../../server/services/publish.ts";
import {
  itemContentSources,
  prepareContent,
} from "~/components/markdown/prepare-content.server.ts";
import { routeId } from "~/components/project/project-page.server.ts";
import { roomViewer } from "~/components/room/room-page.server.ts";
import { promptSchema, responseSchema } from "~/domain/item.ts";
import { itemRoomName } from "~/domain/room.ts";
import { requireUser } from "~/session.server.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

/**
 * Everything the room page needs besides the live document. A GET only reads: the room is
 * prepared (pre-filled on its first opening, the item moved to adjudication, `meta` brought in
 * line with the database) when an editor's page connects to it, at the sync upgrade
 * (server/sync/server.ts), which a link from another site cannot make.
 */
export async function loadItemRoom(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const user = await requireUser(request, context);
  const itemId = routeId(params.itemId, "item");
  const { quorum } = context;
  const docName = itemRoomName(itemId);
  const grant = await authorizeDocument(quorum, user, {
    kind: "item",
    name: docName,
    itemId,
  }).catch(throwAsRouteError);
  const [view, adjudication, shortcuts] = await Promise.all([
    getItemForUser(quorum.db, user, itemId),
    getAdjudication(quorum.db, user, itemId),
    getShortcutOverrides(quorum.db, user),
  ]).catch(throwAsRouteError);
  const project = await loadProjectModel(quorum.db, view.item.projectId);
  const guidelines = await getGuidelines(quorum.db, user, project.id).catch(throwAsRouteError);
  const guidelinesShown = guidelines?.body.trim()
    ? { version: guidelines.version, body: guidelines.body }
    : null;
  const onPanel = adjudication.panel.some((member) => member.own);
  const editor = grant.access === "edit";
  const quorumRule = adjudication.publishRule.kind === "quorum";
  // Participant keys to names: real names for those who may see them, pseudonyms otherwise.
  const members = await participantNames(quorum.db, project.id, grant.seesPseudonyms);
  const prompt = promptSchema.parse(view.item.prompt);
  const responses = z.array(responseSchema).parse(view.item.responses);
  return {
    docName,
    project: { id: project.id, name: project.row.name },
    contentFormats: await prepareContent(context, [
      ...itemContentSources(prompt, responses),
      ...(guidelinesShown ? [guidelinesShown.body] : []),
    ]),
    // The project's guidelines, which the panel adjudicates by as the annotators labelled by them.
    guidelines: guidelinesShown,
    item: {
      id: view.item.id,
      externalId: itemReference(view.item),
      status: adjudication.status,
      prompt,
      responses,
      template: view.item.template,
    },
    // The published versions' rationales, shown in the room once it is published.
    versions: view.versions.map((version) => ({
      version: version.version,
      rationale: version.rationale,
    })),
    disputePolicy: project.disputePolicy,
    publishRule: adjudication.publishRule,
    panel: adjudication.panel.map((member) => member.memberId),
    members,
    viewer: roomViewer(user, grant),
    // What the viewer may do while the room is open (publish, approve, vote) or once it is
    // published (reopen); the page follows the room's live status for which applies.
    may: {
      // As the sync server will check each vote (server/sync/write-rules.ts).
      vote: grant.writes.vote,
      publish: editor && (grant.role === "lead" || (quorumRule && onPanel)),
      approve: editor && quorumRule && onPanel,
      reopen: grant.role === "lead",
    },
    shortcuts,
    // Leads add the project's annotators and leads who are not on the panel yet.
    panelCandidates: adjudication.may.managePanel
      ? await panelCandidates(context, user, project.id, itemId)
      : null,
  };
}

async function panelCandidates(
  context: AppLoadContext,
  user: Awaited<ReturnType<typeof requireUser>>,
  projectId: number,
  itemId: number,
) {
  const { db } = context.quorum;
  const [members, panel] = await Promise.all([
    listProjectMembers(db, user, projectId),
    listPanel(db, itemId),
  ]).catch(throwAsRouteError);
  const seated = new Set(panel.map((member) => member.userId));
  return members
    .filter((member) => member.role !== "client" && !seated.has(member.userId))
    .map((member) => ({ email: member.email, name: member.name, role: member.role }));
}

const roomActionSchema = z.object({
  intent: z.literal("add-panel-member"),
  email: z.string().trim(),
});

/**
 * The room's one form: a lead adds a project annotator or lead to the item's panel, through the
 * same service as `POST /api/v1/items/:id/panel`. A refusal comes back to the form with its
 * status and the service's words.
 */
export async function roomAction(
  request: Request,
  context: AppLoadContext,
  params: LoaderFunctionArgs["params"],
) {
  const user = await requireUser(request, context);
  const itemId = routeId(params.itemId, "item");
  const formData = await request.formData();
  const parsed = roomActionSchema.safeParse({
    intent: formData.get("intent"),
    email: formData.get("email") ?? "",
  });
  if (!parsed.success) {
    return data({ panelInvite: { error: "Choose whom to add to the panel." } }, { status: 400 });
  }
  if (parsed.data.email === "") {
    return data({ panelInvite: { error: "Choose whom to add to the panel." } }, { status: 422 });
  }
  try {
    const panel = await addPanelMember(context.quorum, user, itemId, {
      email: parsed.data.email,
    });
    return data({ panelInvite: { added: parsed.data.email, size: panel.length } });
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500 || error.code === "not_found") {
      return throwAsRouteError(error);
    }
    return data({ panelInvite: { error: error.message } }, { status: error.status });
  }
}
