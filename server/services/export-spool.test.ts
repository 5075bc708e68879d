import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExportSpool } from "./export-spool.ts";

async function readAll(spool: ExportSpool, signal?: AbortSignal): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of spool.read(signal)) chunks.push(chunk);
  return chunks;
}

describe("the export spool", () => {
  it("gives back every chunk once, in order, whether held in memory or on disk (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 60 }),
        fc.boolean(),
        async (chunks, memoryLimit, readWhileWriting) => {
          const spool = new ExportSpool(memoryLimit);
          try {
            const reading = readWhileWriting ? readAll(spool) : null;
            for (const chunk of chunks) await spool.write(chunk);
            spool.end();
            expect(await (reading ?? readAll(spool))).toEqual(chunks);
          } finally {
            await spool.dispose();
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("lets the writer run ahead of a reader that has not started", async () => {
    const spool = new ExportSpool(10);
    const chunks = Array.from({ length: 200 }, (_, index) => `line ${index} é 🙂\n`);
    try {
      // Nothing reads while all of it is written: the writer never waits for the reader.
      for (const chunk of chunks) await spool.write(chunk);
      spool.end();
      expect(await readAll(spool)).toEqual(chunks);
    } finally {
      await spool.dispose();
    }
  });

  it("gives the reader what was written before a failure, then the failure", async () => {
    const spool = new ExportSpool(4);
    try {
      await spool.write("first");
      await spool.write("second");
      spool.fail(new Error("the database went away"));
      const received: string[] = [];
      await expect(
        (async () => {
          for await (const chunk of spool.read()) received.push(chunk);
        })(),
      ).rejects.toThrow("the database went away");
      expect(received).toEqual(["first", "second"]);
    } finally {
      await spool.dispose();
    }
  });

  it("stops a waiting reader when its signal aborts", async () => {
    const spool = new ExportSpool();
    const stop = new AbortController();
    try {
      await spool.write("only");
      const reading = readAll(spool, stop.signal);
      await new Promise((resolve) => setTimeout(resolve, 10));
      stop.abort();
      expect(await reading).toEqual(["only"]);
    } finally {
      await spool.dispose();
    }
  });
});
