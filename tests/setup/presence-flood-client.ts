/**
 * Floods a sync document with presence from a process of its own, as a hostile client would:
 * `node --import tsx presence-flood-client.ts <documentUrl> <connections> <seconds>` opens that
 * many WebSockets and sends, on each, one presence frame every 50 ms (the frame rate the default
 * limit allows), each under a new client id, every other state far over the size limit (1.9 MB)
 * and the rest just under it (60 KB). Prints `sent <frames>` once the time is up (the server
 * may still be reading them: it reads each connection at a limited rate), then waits for stdin
 * to close.
 */
import * as encoding from "lib0/encoding";
import WebSocket from "ws";

const [documentUrl, connectionsText, secondsText] = process.argv.slice(2);

function presenceFrame(clientId: number, stateJson: Uint8Array): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint8Array(update, stateJson);
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, 1);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

const stateOfSize = (bytes: number) =>
  new TextEncoder().encode(JSON.stringify({ cursor: 1, padding: "x".repeat(bytes - 30) }));
const huge = stateOfSize(1_900_000);
const large = stateOfSize(60_000);

const sockets = await Promise.all(
  Array.from(
    { length: Number(connectionsText) },
    () =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(documentUrl, { perMessageDeflate: false });
        socket.on("message", () => {});
        socket.once("open", () => resolve(socket));
        socket.once("error", reject);
      }),
  ),
);
const until = performance.now() + Number(secondsText) * 1000;
let frames = 0;
while (performance.now() < until) {
  for (const socket of sockets) {
    frames += 1;
    socket.send(presenceFrame(1_000_000 + frames, frames % 2 === 0 ? huge : large));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write(`sent ${frames}\n`);

process.stdin.resume();
process.stdin.on("end", () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
