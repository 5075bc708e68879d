import { mkdtemp, open, rm, unlink, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Characters of export text held in memory ahead of the client, at most, before the rest goes
 * to disk: a few pages' worth, so that a client that keeps up never touches the disk.
 */
export const SPOOL_MEMORY_CHARS = 8 * 1024 * 1024;

/** A chunk of text, held as it is or as this many bytes of UTF-8 next in the spool's file. */
type Entry = { text: string } | { bytes: number };

interface SpoolFile {
  directory: string;
  handle: FileHandle;
}

/**
 * The text an export has read and its client has not taken yet, first in first out, in the
 * chunks it was written in: in memory up to a bound, beyond it in a temporary file. An export
 * reads its snapshot as fast as the database answers and writes here, so that its transaction
 * lasts as long as the reading, never as long as the slowest client takes to download.
 */
export class ExportSpool {
  readonly #memoryLimit: number;
  readonly #entries: Entry[] = [];
  #memoryChars = 0;
  #file: Promise<SpoolFile> | null = null;
  #writeOffset = 0;
  #readOffset = 0;
  #ended = false;
  #failure: { error: unknown } | null = null;
  #wake: (() => void) | null = null;

  constructor(memoryLimit = SPOOL_MEMORY_CHARS) {
    this.#memoryLimit = memoryLimit;
  }

  /** Adds a chunk after those written before; resolves once it is held. */
  async write(text: string): Promise<void> {
    if (text.length === 0) return;
    if (this.#memoryChars + text.length <= this.#memoryLimit) {
      this.#entries.push({ text });
      this.#memoryChars += text.length;
    } else {
      const bytes = Buffer.from(text, "utf8");
      const { handle } = await this.#openFile();
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(
          bytes,
          written,
          bytes.length - written,
          this.#writeOffset + written,
        );
        written += bytesWritten;
      }
      this.#writeOffset += bytes.length;
      this.#entries.push({ bytes: bytes.length });
    }
    this.#notify();
  }

  /** No more chunks will come: the reader ends once it has taken those held. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** The writer failed: the reader takes the chunks held, then gets the error. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#notify();
  }

  /** The chunks in the order they were written, waiting for more until the end; `signal` stops. */
  async *read(signal?: AbortSignal): AsyncGenerator<string> {
    const wakeOnAbort = () => this.#notify();
    signal?.addEventListener("abort", wakeOnAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) return;
        const entry = this.#entries.shift();
        if (entry) {
          if ("text" in entry) {
            this.#memoryChars -= entry.text.length;
            yield entry.text;
          } else {
            yield await this.#readFromFile(entry.bytes);
          }
          continue;
        }
        if (this.#failure) throw this.#failure.error;
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      signal?.removeEventListener("abort", wakeOnAbort);
    }
  }

  /** Lets go of what is held and removes the file, if one was made. */
  async dispose(): Promise<void> {
    this.#entries.length = 0;
    this.#memoryChars = 0;
    const file = await this.#file?.catch(() => null);
    if (!file) return;
    await file.handle.close().catch(() => undefined);
    await rm(file.directory, { recursive: true, force: true });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #openFile(): Promise<SpoolFile> {
    this.#file ??= (async () => {
      const directory = await mkdtemp(path.join(tmpdir(), "quorum-export-"));
      const filePath = path.join(directory, "spool");
      const handle = await open(filePath, "w+");
      // Unlinked while open, the file goes with the handle even if the process dies; where the
      // system refuses that (Windows), `dispose` removes it.
      await unlink(filePath).catch(() => undefined);
      return { directory, handle };
    })();
    return this.#file;
  }

  async #readFromFile(length: number): Promise<string> {
    const { handle } = await this.#openFile();
    const bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(bytes, read, length - read, this.#readOffset + read);
      if (bytesRead === 0) throw new Error("The export's spool file ended early");
      read += bytesRead;
    }
    this.#readOffset += length;
    return bytes.toString("utf8");
  }
}
