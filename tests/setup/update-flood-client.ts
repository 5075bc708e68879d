/**
 * A stock y-websocket client in a process of its own that sends many tiny updates back to back:
 * `node --import tsx update-flood-client.ts <syncBaseUrl> <docName> <token> <fieldId> <count>`
 * types `count` characters into the draft label's text field `fieldId`, each in a transaction of
 * its own, so the provider sends one update frame per character. Prints `sent` once every frame
 * has left the socket, then waits for stdin to close.
 */
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

const [baseUrl, docName, token, fieldId, countText] = process.argv.slice(2);
const count = Number(countText);
const doc = new Y.Doc();
const provider = new WebsocketProvider(baseUrl, docName, doc, {
  disableBc: true,
  params: { token },
  WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
});

provider.once("sync", () => {
  const text = doc.getMap("label").get(fieldId);
  if (!(text instanceof Y.Text)) throw new Error(`The draft label has no text field ${fieldId}`);
  for (let index = 0; index < count; index++) text.insert(index, "x");
  const socket = provider.ws as unknown as WebSocket;
  const waitForFlush = () => {
    if (socket.bufferedAmount === 0) process.stdout.write("sent\n");
    else setTimeout(waitForFlush, 10);
  };
  waitForFlush();
});

process.stdin.resume();
process.stdin.on("end", () => {
  provider.destroy();
  process.exit(0);
});
