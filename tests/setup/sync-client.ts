import { randomBytes } from "node:crypto";
import http from "node:http";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

/** The base URL a WebsocketProvider is given: the document name is appended to it. */
export function syncBaseUrl(serverUrl: string): string {
  return `${serverUrl.replace(/^http/, "ws")}/sync`;
}

export interface SyncClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Resolves once the provider has completed its first sync with the server. */
  synced: Promise<void>;
  destroy(): void;
}

/**
 * A stock y-websocket client, as a script would use it. BroadcastChannel is off: in Node it
 * would let two providers of one process sync with each other without the server.
 */
export function connectSyncClient(
  serverUrl: string,
  docName: string,
  options: { token?: string; headers?: Record<string, string>; doc?: Y.Doc } = {},
): SyncClient {
  const doc = options.doc ?? new Y.Doc();
  const headers = options.headers;
  const WebSocketPolyfill = headers
    ? class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers });
        }
      }
    : WebSocket;
  const provider = new WebsocketProvider(syncBaseUrl(serverUrl), docName, doc, {
    connect: true,
    disableBc: true,
    params: options.token ? { token: options.token } : {},
    WebSocketPolyfill: WebSocketPolyfill as unknown as typeof globalThis.WebSocket,
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once("sync", () => resolve());
  });
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Polls until the condition holds; fails with the description after the timeout. */
export async function waitFor(
  condition: () => boolean,
  description: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface UpgradeAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends a bare WebSocket upgrade request and reports how the server answered it. */
export function requestUpgrade(
  serverUrl: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${serverUrl}${pathAndQuery}`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        ...headers,
      },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: "" });
    });
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on("error", reject);
    request.end();
  });
}

export interface RawSyncSocket {
  socket: WebSocket;
  /** Every binary frame the server sent, in order. */
  received: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A plain `ws` client on a sync document, for sending frames no stock client would send. */
export async function openRawSyncSocket(
  serverUrl: string,
  docName: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<RawSyncSocket> {
  const query = options.token ? `?token=${encodeURIComponent(options.token)}` : "";
  const socket = new WebSocket(`${syncBaseUrl(serverUrl)}/${docName}${query}`, {
    headers: options.headers,
  });
  const received: Uint8Array[] = [];
  socket.on("message", (data: Buffer) => received.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.on("error", () => {});
  return { socket, received, closed };
}
