/** Whether a file starts with the gzip signature (0x1f 0x8b), whatever its name says. */
export async function isGzip(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export class UnpackedTooLargeError extends Error {}
export class NotGzipError extends Error {}

/**
 * Unpacks a gzip file in the browser (`DecompressionStream`), stopping as soon as the unpacked
 * data passes `maxBytes`: a small file can unpack to gigabytes, and the import limit applies
 * to what the server would have to read.
 */
export async function gunzipWithin(file: Blob, maxBytes: number): Promise<Blob> {
  const reader = file.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new UnpackedTooLargeError(
          `The file unpacks to more than ${maxBytes} bytes, over the import limit.`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof UnpackedTooLargeError) throw error;
    throw new NotGzipError(
      `The file could not be unpacked as gzip: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return new Blob(chunks);
}
