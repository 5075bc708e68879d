import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import type { User } from "../../../db/schema.ts";
import {
  inviteUser,
  issueUserLink,
  listUsers,
  requireUserAdmin,
  updateUser,
  type IssuedLink,
  type ManagedUser,
} from "../../../server/services/user-admin.ts";
import { appErrorToFormErrors } from "~/components/project/form-errors.server.ts";
import type { IssuedLinkView } from "~/components/people/issued-link.tsx";
import {
  linkBaseFor,
  parsePeopleForm,
  profileFormFields,
} from "~/components/people/people-forms.server.ts";
import { requireUser } from "~/session.server.ts";
import type { FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

const MAX_QUERY_CHARACTERS = 200;

/** Anyone but a workspace admin gets the 403 page. */
function requireAdmin(user: User): void {
  try {
    requireUserAdmin(user);
  } catch (error) {
    throwAsRouteError(error);
  }
}

/** The admin's list of users, searched by `?q=`; `?edit=<id>` opens that user's form. */
export async function loadUsers(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  const query = (url.searchParams.get("q") ?? "").slice(0, MAX_QUERY_CHARACTERS);
  requireAdmin(user);
  const users = await listUsers(context.quorum.db, user, query).catch(throwAsRouteError);
  const updatedId = Number(url.searchParams.get("updated"));
  const updated = users.find((candidate) => candidate.id === updatedId);
  return {
    users,
    query,
    editId: Number(url.searchParams.get("edit")) || null,
    notice: updated ? `Saved the changes to ${updated.name}.` : null,
    currentUserId: user.id,
    mailConfigured: context.quorum.mailer.configured,
    inviteTtlHours: context.quorum.config.inviteTtlMs / 3_600_000,
  };
}

const checkbox = z
  .literal("on")
  .optional()
  .transform((value) => value === "on");
const userId = z.coerce.number({ error: "Choose a user" }).int().positive();

const usersFormSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("invite"),
      email: profileFormFields.email,
      name: profileFormFields.name,
      level: profileFormFields.level,
      domains: profileFormFields.domains,
      hourlyRate: profileFormFields.hourlyRate,
      isAdmin: checkbox,
    }),
    z.object({
      intent: z.literal("update"),
      userId,
      name: profileFormFields.name,
      level: profileFormFields.level,
      domains: profileFormFields.domains,
      hourlyRate: profileFormFields.hourlyRate,
      /** Present when the form shows the admin checkbox (never for one's own account). */
      adminControl: z.literal("shown").optional(),
      isAdmin: checkbox,
      q: z.string().optional(),
    }),
    z.object({ intent: z.enum(["disable", "enable", "resetPassword", "renewInvite"]), userId }),
  ],
  { error: "This form sent an action the users page does not know" },
);

export interface UsersActionResult {
  intent: string | null;
  userId: number | null;
  errors: FormErrors | null;
  notice: string | null;
  link: IssuedLinkView | null;
}

function linkView(link: IssuedLink, user: ManagedUser): IssuedLinkView {
  return { ...link, name: user.name, address: user.email };
}

export async function changeUsers(request: Request, context: AppLoadContext) {
  const actor = await requireUser(request, context);
  const quorum = context.quorum;
  const formData = await request.formData();
  const submittedIntent = formData.get("intent");
  const intent = typeof submittedIntent === "string" ? submittedIntent : null;
  const submittedUserId = Number(formData.get("userId"));
  const reply = (result: Partial<UsersActionResult>, status = 200) =>
    data<UsersActionResult>(
      {
        intent,
        userId: Number.isInteger(submittedUserId) && submittedUserId > 0 ? submittedUserId : null,
        errors: null,
        notice: null,
        link: null,
        ...result,
      },
      // A link's token is in this response and nowhere else: no cache may keep a copy.
      { status, headers: { "Cache-Control": "no-store" } },
    );
  requireAdmin(actor);
  const parsed = parsePeopleForm(usersFormSchema, formData);
  if (!parsed.success) return reply({ errors: parsed.errors }, 422);
  const form = parsed.data;
  const linkBase = linkBaseFor(request, context);
  try {
    switch (form.intent) {
      case "invite": {
        const { user, link } = await inviteUser(
          quorum,
          actor,
          {
            email: form.email,
            name: form.name,
            level: form.level,
            domains: form.domains,
            hourlyRate: form.hourlyRate,
            isAdmin: form.isAdmin,
          },
          linkBase,
        );
        return reply({ notice: `Invited ${user.name}.`, link: linkView(link, user) });
      }
      case "update": {
        await updateUser(quorum, actor, form.userId, {
          name: form.name,
          level: form.level,
          domains: form.domains,
          hourlyRate: form.hourlyRate,
          ...(form.adminControl ? { isAdmin: form.isAdmin } : {}),
        });
        const back = new URLSearchParams({ updated: String(form.userId) });
        if (form.q) back.set("q", form.q);
        throw redirect(`/admin/users?${back}`);
      }
      case "disable":
      case "enable": {
        const user = await updateUser(quorum, actor, form.userId, {
          disabled: form.intent === "disable",
        });
        return reply({
          notice:
            form.intent === "disable"
              ? `Disabled ${user.name}: they are signed out everywhere and cannot sign in.`
              : `Enabled ${user.name}: they can sign in again.`,
        });
      }
      case "resetPassword":
      case "renewInvite": {
        const purpose = form.intent === "renewInvite" ? "invite" : "password_reset";
        const { user, link } = await issueUserLink(quorum, actor, form.userId, purpose, linkBase);
        return reply({
          notice:
            purpose === "invite"
              ? `New invite link for ${user.name}; older links no longer work.`
              : `Password reset link for ${user.name}; older links no longer work.`,
          link: linkView(link, user),
        });
      }
    }
  } catch (error) {
    if (error instanceof Response) throw error;
    return reply({ errors: appErrorToFormErrors(error) }, 422);
  }
}
