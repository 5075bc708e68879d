import type { Router } from "express";
import { z } from "zod";
import type { QuorumContext } from "../../context.ts";
import { listItems } from "../../services/items.ts";
import {
  createProject,
  listVisibleProjectMembers,
  removeProjectMember,
  setProjectMember,
  updateProject,
} from "../../services/project-admin.ts";
import { projectProgress } from "../../services/progress.ts";
import { getVisibleProject, listVisibleProjects } from "../../services/projects.ts";
import { idParameter } from "../../ids.ts";
import {
  listOwnAnnotations,
  listReviews,
  OWN_ANNOTATION_PAGE_LIMIT,
  REVIEW_PAGE_LIMIT,
} from "../../services/review.ts";
import { authenticatedHandler } from "../handler.ts";
import { parseId, parseQuery } from "../parse.ts";

export const reviewListQuerySchema = z.object({
  verdict: z.enum(["pending", "accepted", "corrected", "rejected", "all"]).default("pending"),
  cursor: idParameter.optional(),
  limit: z.coerce.number().int().min(1).max(REVIEW_PAGE_LIMIT).default(REVIEW_PAGE_LIMIT),
});

export const ownAnnotationListQuerySchema = z.object({
  cursor: idParameter.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(OWN_ANNOTATION_PAGE_LIMIT)
    .default(OWN_ANNOTATION_PAGE_LIMIT),
});

export function registerProjectRoutes(router: Router, quorum: QuorumContext): void {
  router.get(
    "/projects",
    authenticatedHandler(quorum, async ({ quorum: { db }, user }) => ({
      body: { projects: await listVisibleProjects(db, user) },
    })),
  );

  router.post(
    "/projects",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      status: 201,
      body: { project: await createProject(db, user, request.body) },
    })),
  );

  router.get(
    "/projects/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        project: await getVisibleProject(db, user, parseId(request.params.id, "Project id")),
      },
    })),
  );

  router.patch(
    "/projects/:id",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        project: await updateProject(
          db,
          user,
          parseId(request.params.id, "Project id"),
          request.body,
        ),
      },
    })),
  );

  router.get(
    "/projects/:id/members",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: {
        members: await listVisibleProjectMembers(
          db,
          user,
          parseId(request.params.id, "Project id"),
        ),
      },
    })),
  );

  router.post(
    "/projects/:id/members",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => {
      const { member, created } = await setProjectMember(
        quorum.db,
        user,
        parseId(request.params.id, "Project id"),
        request.body,
      );
      // A member whose role changed has their open rooms opened again under the new one now.
      if (!created) quorum.accessChanges.notify();
      return { status: created ? 201 : 200, body: { member } };
    }),
  );

  router.delete(
    "/projects/:id/members/:userId",
    authenticatedHandler(quorum, async ({ quorum, user, request }) => {
      await removeProjectMember(
        quorum.db,
        user,
        parseId(request.params.id, "Project id"),
        parseId(request.params.userId, "User id"),
      );
      // The former member's open rooms and event streams close now, not at the next recheck.
      quorum.accessChanges.notify();
      return undefined;
    }),
  );

  router.get(
    "/projects/:id/items",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: await listItems(db, user, parseId(request.params.id, "Project id"), request.query),
    })),
  );

  router.get(
    "/projects/:id/progress",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => ({
      body: await projectProgress(db, user, parseId(request.params.id, "Project id")),
    })),
  );

  router.get(
    "/projects/:id/reviews",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const page = parseQuery(reviewListQuerySchema, request.query);
      return {
        body: await listReviews(db, user, parseId(request.params.id, "Project id"), page),
      };
    }),
  );

  router.get(
    "/projects/:id/annotations/mine",
    authenticatedHandler(quorum, async ({ quorum: { db }, user, request }) => {
      const page = parseQuery(ownAnnotationListQuerySchema, request.query);
      return {
        body: await listOwnAnnotations(db, user, parseId(request.params.id, "Project id"), page),
      };
    }),
  );
}
