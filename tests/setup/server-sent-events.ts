/** One named event of a `text/event-stream` response. */
export interface StreamEvent {
  /** The `id:` field, when the event has one. */
  id: string | undefined;
  event: string;
  data: unknown;
}

/**
 * The named events of a server-sent event stream as they arrive, `data` parsed as JSON; comment
 * lines (keepalives) and blocks without an `event:` field are skipped. Ends with the stream.
 */
export async function* streamEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    for (let end = buffered.indexOf("\n\n"); end !== -1; end = buffered.indexOf("\n\n")) {
      const fields = new Map(
        buffered
          .slice(0, end)
          .split("\n")
          .filter((line) => !line.startsWith(":"))
          .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
      );
      buffered = buffered.slice(end + 2);
      const event = fields.get("event");
      if (event !== undefined) {
        yield { id: fields.get("id"), event, data: JSON.parse(fields.get("data") ?? "null") };
      }
    }
  }
}
