import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../server/logger.ts";
import { recordProjectEvent } from "../../server/services/project-events.ts";
import { QualityAhead } from "../../server/services/quality-ahead.ts";
import {
  projectQualityComputation,
  qualityFingerprint,
} from "../../server/services/quality-economics.ts";
import { createCast, type Cast } from "../setup/adjudication.ts";
import { createVerdictProject, importVerdictItems } from "../setup/quality-fixture.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";

/**
 * A large project's figures that a process holds are patched ahead as its labels come in, every
 * so many events, so that they never lag its data by more changed items than a request patches
 * rather than reading the whole project (decision 032). Sizes and counts are small here, given
 * to the `QualityAhead` under test; the server's own looks for projects of thousands of items.
 */
describe("quality figures patched ahead", { timeout: 60_000 }, () => {
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    server = await startTestServer();
    cast = await createCast(server);
  });
  afterAll(() => server?.stop());

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A project of two labelled items' worth, the ahead under test, and a wait for its figures. */
  async function project(patchAfterEvents: number) {
    const projectId = await createVerdictProject(cast, 2);
    const [one, two] = cast.experts;
    const itemIds = await importVerdictItems(server, cast.lead, projectId, [
      {
        externalId: "a",
        annotations: [
          { annotator: one.email, label: { verdict: "safe" } },
          { annotator: two.email, label: { verdict: "unsafe" } },
        ],
      },
      { externalId: "b" },
    ]);
    const { db } = server.context;
    const stopping = new AbortController();
    const ahead = new QualityAhead(
      db,
      { intervalMs: 50, closing: stopping.signal, aheadItems: 1, patchAfterEvents },
      createLogger("silent"),
    );
    const heldCurrent = async () =>
      projectQualityComputation.holds(db, projectId, await qualityFingerprint(db, projectId));
    const waitForHeld = async () => {
      const deadline = Date.now() + 20_000;
      while (!(await heldCurrent())) {
        expect(Date.now(), "the figures to be computed ahead").toBeLessThan(deadline);
        await pause(50);
      }
    };
    const stop = async () => {
      stopping.abort();
      await ahead.close();
    };
    return { projectId, itemIds, ahead, heldCurrent, waitForHeld, stop };
  }

  it("after every few events in a project it holds figures of, before anyone asks", async () => {
    const { projectId, itemIds, ahead, heldCurrent, waitForHeld, stop } = await project(3);
    const { db } = server.context;
    const [one] = cast.experts;
    const labelEvent = () =>
      db.transaction().execute((trx) =>
        recordProjectEvent(trx, projectId, {
          type: "annotation.submitted",
          itemId: itemIds.get("b")!,
          annotationId: 1,
          annotatorId: one.id,
          fields: ["verdict"],
        }),
      );
    try {
      // Its first look computes the large projects most recently active, this one included.
      ahead.start();
      await waitForHeld();

      await labelEvent();
      await labelEvent();
      await pause(500);
      expect(await heldCurrent(), "nothing computed before the third event").toBe(false);
      await labelEvent();
      await waitForHeld();
    } finally {
      await stop();
    }
  });

  it("once the template, policy or settings of a project it holds figures of change", async () => {
    const { projectId, ahead, heldCurrent, waitForHeld, stop } = await project(1_000);
    try {
      ahead.start();
      await waitForHeld();
      // A few looks, so that the project's row is known as it stands.
      await pause(300);
      // A new policy writes no event: the figures are computed again all the same.
      const changed = await cast.lead.api.patch(`/projects/${projectId}`, {
        disputePolicy: { verdict: { minShare: 1 } },
      });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      expect(await heldCurrent(), "figures of the policy before").toBe(false);
      await waitForHeld();
    } finally {
      await stop();
    }
  });
});
