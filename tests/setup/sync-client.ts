import { afterEach } from "vitest";
import { randomBytes } from "node:crypto";
import http from "node:http";
import * as decoding from "lib0/decoding";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { messagePersisted, messageSync } from "../../server/sync/protocol.ts";

/** The base URL a WebsocketProvider is given: the document name is appended to it. */
export function syncBaseUrl(serverUrl: string): string {
  return `${serverUrl.replace(/^http/, "ws")}/sync`;
}

export interface SyncClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Resolves once the provider has completed its first sync with the server. */
  synced: Promise<void>;
  /** Resolves with the close the server ended the connection with for good (4400–4499). */
  refused: Promise<{ code: number; reason: string }>;
  /**
   * With `persisted: true`: whether every document change sent on the current connection has
   * been acknowledged as stored, as a browser client would tell it from `persisted` messages.
   */
  saved(): boolean;
  destroy(): void;
}

/**
 * Counts the frames the provider sends, as the `persisted` acknowledgement numbers them, and
 * remembers the last one that carried document changes (sync step 2 or an update).
 */
class FrameCountingWebSocket extends WebSocket {
  framesSent = 0;
  lastChangeFrame = 0;
  persistedUpTo = 0;

  override send(data: unknown, ...rest: unknown[]): void {
    if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      this.framesSent += 1;
      if (bytes[0] === messageSync && (bytes[1] === 1 || bytes[1] === 2)) {
        this.lastChangeFrame = this.framesSent;
      }
    }
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

/**
 * A stock y-websocket client, as a script would use it. BroadcastChannel is off: in Node it
 * would let two providers of one process sync with each other without the server. With
 * `persisted`, it asks for `persisted` acknowledgements and handles them as a browser would.
 */
export function connectSyncClient(
  serverUrl: string,
  docName: string,
  options: {
    token?: string;
    headers?: Record<string, string>;
    doc?: Y.Doc;
    persisted?: boolean;
  } = {},
): SyncClient {
  const doc = options.doc ?? new Y.Doc();
  const headers = options.headers;
  const WebSocketPolyfill = class extends FrameCountingWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, headers ? { headers } : {});
    }
  };
  const params: Record<string, string> = {};
  if (options.token) params.token = options.token;
  if (options.persisted) params.persisted = "1";
  const provider = new WebsocketProvider(syncBaseUrl(serverUrl), docName, doc, {
    connect: true,
    disableBc: true,
    params,
    WebSocketPolyfill: WebSocketPolyfill as unknown as typeof globalThis.WebSocket,
  });
  const currentSocket = () => provider.ws as unknown as FrameCountingWebSocket | null;
  provider.messageHandlers[messagePersisted] = (_encoder, decoder) => {
    const socket = currentSocket();
    if (socket) socket.persistedUpTo = decoding.readVarUint(decoder);
  };
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once("sync", () => resolve());
  });
  const refused = new Promise<{ code: number; reason: string }>((resolve) =>
    provider.once("closed", (close) => resolve(close)),
  );
  return {
    doc,
    provider,
    synced,
    refused,
    saved() {
      const socket = currentSocket();
      return socket !== null && socket.persistedUpTo >= socket.lastChangeFrame;
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/**
 * Types into the draft's free-text field `body`, the shared text these tests edit (a room has
 * no shared types besides label, votes, comments and meta). The first client to type creates
 * it: let the others receive it before they type, or each would make a text of its own.
 */
export function typeInDraft(doc: Y.Doc, index: number, text: string): void {
  const label = doc.getMap("label");
  doc.transact(() => {
    let body = label.get("body");
    if (!(body instanceof Y.Text)) {
      body = new Y.Text();
      label.set("body", body);
    }
    (body as Y.Text).insert(index, text);
  });
}

/** The draft's `body` as a client has it, without creating it. */
export function draftText(doc: Y.Doc): string {
  const body = doc.getMap("label").get("body");
  return body instanceof Y.Text ? body.toString() : "";
}

/** Polls until the condition holds; fails with the description after the timeout. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  description: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves as the promise does; fails with the description after the timeout. */
export async function within<T>(
  promise: Promise<T>,
  description: string,
  timeoutMs = 5_000,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${description}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
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
  options: { token?: string; headers?: Record<string, string>; persisted?: boolean } = {},
): Promise<RawSyncSocket> {
  const params = new URLSearchParams();
  if (options.token) params.set("token", options.token);
  if (options.persisted) params.set("persisted", "1");
  const query = params.size > 0 ? `?${params}` : "";
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

/**
 * Clients a test file opens, closed after each test so that one test's sockets never reach the
 * next. Call once at the top level of the file.
 */
export function closeSyncClientsAfterEach() {
  const clients: SyncClient[] = [];
  const rawSockets: RawSyncSocket[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
    for (const raw of rawSockets.splice(0)) raw.socket.terminate();
  });
  return {
    track(client: SyncClient): SyncClient {
      clients.push(client);
      return client;
    },
    trackRaw(raw: RawSyncSocket): RawSyncSocket {
      rawSockets.push(raw);
      return raw;
    },
  };
}
