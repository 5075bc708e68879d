import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { apiClient, type ApiClient } from "../setup/api-client.ts";
import { startTestServer, type TestServer } from "../setup/server.ts";
import { waitFor } from "../setup/sync-client.ts";

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on the loopback interface that keeps what it is sent. */
async function startMailSink(): Promise<{
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}> {
  const mails: ReceivedMail[] = [];
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  return {
    port: (sink.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => sink.close(() => resolve())),
  };
}

/** The body of a plain-text message, quoted-printable decoded. */
function bodyOf(raw: string): string {
  const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  return body
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

interface IssuedLink {
  url: string;
  email: string;
}

describe("invite and reset links by email", () => {
  let sink: Awaited<ReturnType<typeof startMailSink>>;
  let server: TestServer;
  let admin: ApiClient;

  beforeAll(async () => {
    sink = await startMailSink();
    server = await startTestServer({
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      SMTP_FROM: "Quorum <quorum@mail.test>",
      PUBLIC_URL: "https://quorum.mail.test/",
    });
    admin = apiClient(
      server.url,
      (await server.createUserWithToken({ email: "admin@mail.test", isAdmin: true, name: "Ada" }))
        .token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await sink?.close();
  });

  it("emails the invite link, pointing at PUBLIC_URL, and says it was sent", async () => {
    const invited = await admin.post<{ user: { id: number }; link: IssuedLink }>("/users", {
      email: "newcomer@mail.test",
      name: "Nico Newcomer",
    });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const { link } = invited.body;
    expect(link.email).toBe("sent");
    expect(link.url).toMatch(/^https:\/\/quorum\.mail\.test\/invite\/[A-Za-z0-9_-]{43}$/);
    await waitFor(() => sink.mails.length === 1, "the invite to arrive");
    const [mail] = sink.mails;
    expect(mail.from).toBe("quorum@mail.test");
    expect(mail.to).toEqual(["newcomer@mail.test"]);
    expect(mail.raw).toMatch(/^Subject: You are invited to Quorum\r$/m);
    const body = bodyOf(mail.raw);
    expect(body).toContain("Hello Nico Newcomer");
    expect(body).toContain("Ada invited you");
    expect(body).toContain(link.url);

    const reset = await admin.post<{ link: IssuedLink }>(`/users/${invited.body.user.id}/invite`);
    expect(reset.body.link.email).toBe("sent");
    await waitFor(() => sink.mails.length === 2, "the renewed invite to arrive");
    expect(bodyOf(sink.mails[1].raw)).toContain(reset.body.link.url);
  });

  it("still hands out the link when the mail server cannot be reached", async () => {
    const unreachable = await startTestServer({
      SMTP_URL: "smtp://127.0.0.1:1",
      SMTP_FROM: "quorum@mail.test",
    });
    try {
      const { token } = await unreachable.createUserWithToken({
        email: "admin@mail.test",
        isAdmin: true,
      });
      const invited = await apiClient(unreachable.url, token).post<{ link: IssuedLink }>("/users", {
        email: "offline@mail.test",
        name: "Offline",
      });
      expect(invited.status).toBe(201);
      expect(invited.body.link.email).toBe("failed");
      expect(invited.body.link.url).toMatch(new RegExp(`^${unreachable.url}/invite/`));
    } finally {
      await unreachable.stop();
    }
  }, 90_000);

  it("refuses SMTP_URL without SMTP_FROM, and an INVITE_TTL_HOURS that is not positive", () => {
    const problemsOf = (environment: Record<string, string>) => {
      try {
        loadConfig({ QUORUM_DATA_DIR: server.context.config.dataDir, ...environment });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problemsOf({ SMTP_URL: "smtp://127.0.0.1:25" })[0]).toMatch(/^SMTP_FROM:/);
    expect(problemsOf({ SMTP_URL: "http://mail.test", SMTP_FROM: "q@mail.test" })[0]).toMatch(
      /^SMTP_URL:/,
    );
    expect(problemsOf({ INVITE_TTL_HOURS: "0" })[0]).toMatch(/^INVITE_TTL_HOURS:/);
    expect(problemsOf({ PUBLIC_URL: "quorum.example.org" })[0]).toMatch(/^PUBLIC_URL:/);
    expect(
      loadConfig({ QUORUM_DATA_DIR: server.context.config.dataDir, INVITE_TTL_HOURS: "0.5" })
        .inviteTtlMs,
    ).toBe(30 * 60 * 1000);
  });
});
