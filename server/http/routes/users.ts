import type { Request, Router } from "express";
import { z } from "zod";
import type { QuorumContext } from "../../context.ts";
import { badRequest } from "../../errors.ts";
import {
  getManagedUser,
  inviteProjectMember,
  inviteUser,
  issueUserLink,
  listUsers,
  requireUserAdmin,
  updateUser,
} from "../../services/user-admin.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId } from "../parse.ts";

export const listQuerySchema = z.object({ q: z.string().max(200).optional() });

/**
 * The base of the links handed out: PUBLIC_URL when set, else the origin the request came to,
 * which is the address the admin who asked for the link reached Quorum at.
 */
export function linkBaseOf(quorum: QuorumContext, request: Request): string {
  return quorum.config.publicUrl ?? `${request.protocol}://${request.get("host") ?? "localhost"}`;
}

/**
 * People management (docs/decisions/022). Every `/users` route is for workspace admins, and
 * answers anyone else 403 before it reads an id, so that ids reveal nothing.
 */
export function registerUserRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/users",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      requireUserAdmin(user);
      const query = listQuerySchema.safeParse(request.query);
      if (!query.success) throw badRequest("q must be a single string of at most 200 characters");
      return { body: { users: await listUsers(db, user, query.data.q) } };
    }),
  );

  router.post(
    "/users",
    authenticatedHandler(quorum, async ({ user, request }) => {
      const invited = await inviteUser(quorum, user, request.body, linkBaseOf(quorum, request));
      return { status: 201, body: invited };
    }),
  );

  router.get(
    "/users/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      requireUserAdmin(user);
      return {
        body: { user: await getManagedUser(db, user, parseId(request.params.id, "User id")) },
      };
    }),
  );

  router.patch(
    "/users/:id",
    authenticatedHandler(quorum, async ({ user, request }) => {
      requireUserAdmin(user);
      const userId = parseId(request.params.id, "User id");
      return { body: { user: await updateUser(quorum, user, userId, request.body) } };
    }),
  );

  for (const [path, purpose] of [
    ["/users/:id/invite", "invite"],
    ["/users/:id/password-reset", "password_reset"],
  ] as const) {
    router.post(
      path,
      authenticatedHandler(quorum, async ({ user, request }) => {
        requireUserAdmin(user);
        const userId = parseId(request.params.id, "User id");
        const issued = await issueUserLink(
          quorum,
          user,
          userId,
          purpose,
          linkBaseOf(quorum, request),
        );
        return { status: 201, body: issued };
      }),
    );
  }

  router.post(
    "/projects/:id/invites",
    authenticatedHandler(quorum, async ({ user, request }) => {
      const invited = await inviteProjectMember(
        quorum,
        user,
        parseId(request.params.id, "Project id"),
        request.body,
        linkBaseOf(quorum, request),
      );
      return { status: 201, body: invited };
    }),
  );
}
