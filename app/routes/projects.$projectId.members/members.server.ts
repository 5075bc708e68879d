import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { AppError } from "../../../server/errors.ts";
import {
  listProjectMemberRates,
  listProjectMembers,
  removeProjectMember,
  setProjectMember,
} from "../../../server/services/project-admin.ts";
import {
  annotatorDomainWarning,
  inviteProjectMember,
} from "../../../server/services/user-admin.ts";
import { findUserByEmail } from "../../../server/services/users.ts";
import type { IssuedLinkView } from "~/components/people/issued-link.tsx";
import {
  linkBaseFor,
  parsePeopleForm,
  profileFormFields,
} from "~/components/people/people-forms.server.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { formError, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

export async function loadMembers(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "project.manageMembers");
  const [members, rates] = await Promise.all([
    listProjectMembers(context.quorum.db, page.user, page.projectId),
    listProjectMemberRates(context.quorum.db, page.user, page.projectId),
  ]).catch(throwAsRouteError);
  return {
    navigation: page.navigation,
    /** Rates are shown here, to leads and admins, and nowhere a client looks. */
    members: members.map((member) => ({
      ...member,
      hourlyRateCents: rates.get(member.userId) ?? null,
    })),
    currentUserId: page.user.id,
    /** Leads invite annotators and clients; only admins invite new leads. */
    mayInviteLeads: page.user.is_admin,
    mailConfigured: context.quorum.mailer.configured,
  };
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
    z.object({
      intent: z.literal("invite"),
      email: profileFormFields.email,
      name: profileFormFields.name,
      role,
      level: profileFormFields.level,
      domains: profileFormFields.domains,
    }),
  ],
  { error: "This form sent an action the members page does not know" },
);

interface MembersActionResult {
  intent: string | null;
  errors: FormErrors | null;
  notice: string | null;
  /** An email without an account was added: the page offers to invite them. */
  inviteOffer: { email: string; role: "lead" | "annotator" | "client" } | null;
  link: IssuedLinkView | null;
  /** The new annotator's domains match none of the project's items. */
  warning: string | null;
}

export async function changeMembers(request: Request, context: AppLoadContext, params: Params) {
  const page = await loadProjectPage(request, context, params, "project.manageMembers");
  const formData = await request.formData();
  const intent = typeof formData.get("intent") === "string" ? String(formData.get("intent")) : null;
  // A refused invite keeps its form open, with what was typed.
  const submittedRole = role.safeParse(formData.get("role"));
  const pendingOffer =
    intent === "invite"
      ? {
          email: String(formData.get("email") ?? ""),
          role: submittedRole.success ? submittedRole.data : ("annotator" as const),
        }
      : null;
  const reply = (result: Partial<MembersActionResult>, status = 200) =>
    data<MembersActionResult>(
      {
        intent,
        errors: null,
        notice: null,
        inviteOffer: status >= 400 ? pendingOffer : null,
        link: null,
        warning: null,
        ...result,
      },
      // An invite link's token is in this response and nowhere else: no cache may keep a copy.
      { status, headers: { "Cache-Control": "no-store" } },
    );
  const parsed = parsePeopleForm(membersFormSchema, formData);
  if (!parsed.success) return reply({ errors: parsed.errors }, 422);
  const form = parsed.data;
  const { db } = context.quorum;
  try {
    if (form.intent === "remove") {
      await removeProjectMember(db, page.user, page.projectId, form.memberId);
      // The former member's open rooms and event streams close now, not at the next recheck.
      context.quorum.accessChanges.notify();
      return reply({ notice: "Member removed." });
    }
    if (form.intent === "invite") {
      const { member, link } = await inviteProjectMember(
        context.quorum,
        page.user,
        page.projectId,
        {
          email: form.email,
          name: form.name,
          role: form.role,
          level: form.level,
          domains: form.domains,
        },
        linkBaseFor(request, context),
      );
      return reply({
        notice: `Invited ${member.name} as ${form.role}.`,
        link: { ...link, name: member.name, address: member.email },
        warning:
          form.role === "annotator"
            ? await annotatorDomainWarning(db, page.projectId, member)
            : null,
      });
    }
    const email = form.email.toLowerCase();
    if (
      form.intent === "add" &&
      z.email().safeParse(email).success &&
      !(await findUserByEmail(db, email))
    ) {
      return reply({ inviteOffer: { email, role: form.role } });
    }
    const { member, created } = await setProjectMember(db, page.user, page.projectId, {
      email: form.email,
      role: form.role,
    });
    // A member whose role changed has their open rooms opened again under the new one now.
    if (!created) context.quorum.accessChanges.notify();
    return reply({
      notice: created
        ? `${member.name} added as ${form.role}.`
        : `${member.name} is now ${form.role}.`,
      warning:
        form.role === "annotator" ? await annotatorDomainWarning(db, page.projectId, member) : null,
    });
  } catch (error) {
    if (error instanceof AppError && (error.code === "not_found" || error.code === "forbidden")) {
      return reply({ errors: formError(error.message) }, error.status);
    }
    return reply({ errors: appErrorToFormErrors(error) }, 422);
  }
}
