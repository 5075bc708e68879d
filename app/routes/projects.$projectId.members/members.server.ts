import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import {
  listProjectMembers,
  removeProjectMember,
  setProjectMember,
} from "../../../server/services/project-admin.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { formError, parseFormData, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

export async function loadMembers(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "project.manageMembers");
  const members = await listProjectMembers(context.quorum.db, page.user, page.projectId).catch(
    throwAsRouteError,
  );
  return { navigation: page.navigation, members, currentUserId: page.user.id };
}

const role = z.enum(["lead", "annotator", "client"], { error: "Choose a role" });
const memberId = z.coerce.number({ error: "Choose a member" }).int().positive();

const membersFormSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("add"),
      email: z.string({ error: "Enter an email address" }).trim().min(1, "Enter an email address"),
      role,
    }),
    z.object({ intent: z.literal("changeRole"), memberId, email: z.string(), role }),
    z.object({ intent: z.literal("remove"), memberId }),
  ],
  { error: "This form sent an action the members page does not know" },
);

interface MembersActionResult {
  intent: string | null;
  errors: FormErrors | null;
  notice: string | null;
}

export async function changeMembers(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "project.manageMembers");
  const formData = await request.formData();
  const intent = typeof formData.get("intent") === "string" ? String(formData.get("intent")) : null;
  const reply = (result: Partial<MembersActionResult>, status = 200) =>
    data<MembersActionResult>({ intent, errors: null, notice: null, ...result }, { status });
  const parsed = parseFormData(membersFormSchema, formData);
  if (!parsed.success) return reply({ errors: parsed.errors }, 422);
  const form = parsed.data;
  const { db } = context.quorum;
  try {
    if (form.intent === "remove") {
      await removeProjectMember(db, page.user, page.projectId, form.memberId);
      return reply({ notice: "Member removed." });
    }
    const { member, created } = await setProjectMember(db, page.user, page.projectId, {
      email: form.email,
      role: form.role,
    });
    return reply({
      notice: created
        ? `${member.name} added as ${form.role}.`
        : `${member.name} is now ${form.role}.`,
    });
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      return reply({ errors: formError(error.message) }, 404);
    }
    return reply({ errors: appErrorToFormErrors(error) }, 422);
  }
}
