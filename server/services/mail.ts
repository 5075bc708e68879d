import { createTransport } from "nodemailer";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * What became of a message: `sent` (the SMTP server accepted it), `not_configured` (no
 * `SMTP_URL`, nothing was tried) or `failed` (the server refused it or could not be reached).
 */
export type MailOutcome = "sent" | "not_configured" | "failed";

export interface Mailer {
  readonly configured: boolean;
  /** Never throws: a message that cannot be sent is logged, and the caller shows the link. */
  send(mail: OutgoingMail): Promise<MailOutcome>;
  close(): void;
}

/** How long a slow or silent SMTP server may keep the admin who made the link waiting. */
const SMTP_TIMEOUT_MS = 10_000;

/** Mail through the SMTP server of `SMTP_URL`, or none at all without it. */
export function createMailer(smtp: Config["smtp"], log: Logger): Mailer {
  if (!smtp) {
    return { configured: false, send: async () => "not_configured", close: () => undefined };
  }
  const transport = createTransport(
    {
      url: smtp.url,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    },
    { from: smtp.from },
  );
  return {
    configured: true,
    async send(mail) {
      try {
        await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
        return "sent";
      } catch (error) {
        log.warn({ err: error }, "could not send mail");
        return "failed";
      }
    },
    close: () => transport.close(),
  };
}
