import { afterAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { MergeThread, mergeOnThisThread, mergeThroughDocument } from "./document-merger.ts";

/** Four people typing in turn into one text: the shape of a busy room's log. */
function typedInTurn(edits: number): Uint8Array[] {
  const writers = [0, 1, 2, 3].map(() => new Y.Doc());
  const updates: Uint8Array[] = [];
  for (let step = 0; step < edits; step += 1) {
    const writer = writers[step % writers.length];
    const text = writer.getText("draft");
    const before = Y.encodeStateVector(writer);
    text.insert(text.length, `~${step}~`);
    const update = Y.encodeStateAsUpdate(writer, before);
    updates.push(update);
    for (const other of writers) if (other !== writer) Y.applyUpdate(other, update);
  }
  return updates;
}

function textOf(state: Uint8Array): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc.getText("draft").toString();
}

/** Counts the event loop's turns while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns += 1;
    setImmediate(turn);
  };
  setImmediate(turn);
  await work();
  running = false;
  return turns;
}

describe("MergeThread", () => {
  const thread = new MergeThread();
  afterAll(() => thread.close());

  it("merges what the server's thread would, while the event loop keeps turning", async () => {
    const updates = typedInTurn(3_000);
    const expected = mergeThroughDocument(updates);
    let merged: Uint8Array = new Uint8Array();
    const threadTurns = await turnsDuring(async () => {
      merged = await thread.merge(updates);
    });
    expect(textOf(merged)).toBe(textOf(expected));
    expect(merged).toEqual(expected);
    // The same merge on the server's thread lets nothing else run until it is done.
    const inlineTurns = await turnsDuring(() => mergeOnThisThread(updates));
    expect(inlineTurns).toBeLessThanOrEqual(1);
    expect(threadTurns).toBeGreaterThan(5);
  });

  it("refuses an update that does not apply, and merges the next one", async () => {
    await expect(thread.merge([new Uint8Array([255, 255, 255, 1, 2, 3])])).rejects.toThrow();
    const updates = typedInTurn(10);
    expect(textOf(await thread.merge(updates))).toBe(textOf(mergeThroughDocument(updates)));
  });

  it("fails what waits once closed", async () => {
    const closing = new MergeThread();
    await closing.close();
    await expect(closing.merge(typedInTurn(2))).rejects.toThrow(/closed/);
  });
});
