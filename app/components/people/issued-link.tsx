import { useEffect, useId, useRef } from "react";
import { CopyButton } from "~/components/copy-button.tsx";
import { formatDateTime } from "~/utils/format.ts";

/** A link just handed out, as an action returns it (server/services/user-admin.ts). */
export interface IssuedLinkView {
  url: string;
  purpose: "invite" | "password_reset";
  expiresAt: string;
  email: "sent" | "not_configured" | "failed";
  /** Whom it is for. */
  name: string;
  address: string;
}

function deliveryNote(link: IssuedLinkView): string {
  switch (link.email) {
    case "sent":
      return `It was also emailed to ${link.address}.`;
    case "failed":
      return `Emailing it to ${link.address} failed: copy the link and send it yourself.`;
    case "not_configured":
      return `No email is sent from this workspace: copy the link and send it to ${link.address} yourself.`;
  }
}

/**
 * The link an invite or a password reset made, with a copy button. It is shown once, here: only
 * its hash is stored. Focus moves to its field, which selects the link ready to copy; the field
 * is named by the title and described by the note, so that a screen reader reads both, and it is
 * the only element with that name.
 */
export function IssuedLink({ link }: { link: IssuedLinkView }) {
  const titleId = useId();
  const noteId = useId();
  const fieldRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    fieldRef.current?.focus();
  }, [link.url]);
  const what = link.purpose === "invite" ? "Invite link" : "Password reset link";
  return (
    <div className="callout">
      <p id={titleId} className="callout-title">
        {what} for {link.name}
      </p>
      <p id={noteId} className="small">
        It works once, until {formatDateTime(link.expiresAt)}. {deliveryNote(link)}
      </p>
      <div className="token-reveal">
        <input
          ref={fieldRef}
          readOnly
          aria-labelledby={titleId}
          aria-describedby={noteId}
          value={link.url}
          className="mono"
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton value={link.url} label="Copy link" />
      </div>
    </div>
  );
}
