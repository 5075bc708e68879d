import type { Router } from "express";
import { z } from "zod";
import type { QuorumContext } from "../../context.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "../../services/auth.ts";
import { publicUser } from "../../services/users.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseBody, parseId } from "../parse.ts";

export const newTokenSchema = z.object({ name: z.string().trim().min(1).max(100) });

export function registerAccountRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/me",
    authenticatedHandler(quorum, async ({ user }) => ({ body: { user: publicUser(user) } })),
  );

  router.get(
    "/tokens",
    authenticatedHandler(quorum, async ({ quorum: { db }, user }) => ({
      body: {
        tokens: (await listApiTokens(db, user.id)).map((token) => ({
          id: token.id,
          name: token.name,
          prefix: token.token_prefix,
          createdAt: token.created_at.toISOString(),
          lastUsedAt: token.last_used_at?.toISOString() ?? null,
          revokedAt: token.revoked_at?.toISOString() ?? null,
        })),
      },
    })),
  );

  router.post(
    "/tokens",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const { name } = parseBody(newTokenSchema, request.body);
      const created = await createApiToken(db, user.id, name);
      return {
        status: 201,
        body: {
          id: created.id,
          name: created.name,
          prefix: created.prefix,
          token: created.token,
          createdAt: created.createdAt.toISOString(),
        },
      };
    }),
  );

  router.delete(
    "/tokens/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      await revokeApiToken(db, user.id, parseId(request.params.id, "Token id"));
      return undefined;
    }),
  );
}
