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

  it("after every few events in a project it holds figures of, before anyone asks", async () => {
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
      { intervalMs: 50, closing: stopping.signal, aheadItems: 1, patchAfterEvents: 3 },
      createLogger("silent"),
    );
    const heldCurrent = async () =>
      projectQualityComputation.holds(db, projectId, await qualityFingerprint(db, projectId));
    const waitFor = async (done: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await done())) {
        expect(Date.now(), "the figures to be computed ahead").toBeLessThan(deadline);
        await pause(50);
      }
    };
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
      await waitFor(heldCurrent);

      await labelEvent();
      await labelEvent();
      await pause(500);
      expect(await heldCurrent(), "nothing computed before the third event").toBe(false);
      await labelEvent();
      await waitFor(heldCurrent);
    } finally {
      stopping.abort();
      await ahead.close();
    }
  });
});
