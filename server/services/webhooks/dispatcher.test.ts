import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sendWebhook } from "./dispatcher.ts";

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * A receiver that answers 200 at once and then streams its body without end, counting the
 * connections still open and the bytes they were sent.
 */
async function startEndlessBodyReceiver() {
  let open = 0;
  let bytesSent = 0;
  const chunk = Buffer.alloc(64 * 1024, "x");
  const server = http.createServer((request, response) => {
    open += 1;
    request.resume();
    response.writeHead(200, { "content-type": "text/plain" });
    const stream = setInterval(() => {
      response.write(chunk);
      bytesSent += chunk.length;
    }, 5);
    response.on("close", () => {
      clearInterval(stream);
      open -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    open: () => open,
    bytesSent: () => bytesSent,
  };
}

const endpointFor = (url: string) => ({
  url,
  secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
  allow_private_addresses: true,
});

const event = {
  id: 1,
  project_id: 1,
  type: "item.disputed",
  item_id: 1,
  payload: { itemId: 1, externalId: "a" },
  created_at: new Date(),
};

describe("sending a webhook", () => {
  it("closes the connection once the status is in, whatever body the receiver goes on sending", async () => {
    const receiver = await startEndlessBodyReceiver();
    for (let sent = 0; sent < 3; sent++) {
      const result = await sendWebhook(endpointFor(receiver.url), event, {}, { timeoutMs: 2_000 });
      expect(result).toMatchObject({ delivered: true, statusCode: 200 });
    }
    const deadline = Date.now() + 2_000;
    while (receiver.open() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(receiver.open(), "connections the receiver still streams to").toBe(0);
    const sentOnceClosed = receiver.bytesSent();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.bytesSent()).toBe(sentOnceClosed);
  });
});
