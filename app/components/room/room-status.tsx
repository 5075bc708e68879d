import { useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import { initials, readableTextOn, type Participant } from "~/collab/presence.ts";
import type { SaveSnapshot } from "~/collab/save-tracker.ts";
import { SyncCloseCode } from "../../../server/sync/close-codes.ts";

const saveText: Record<SaveSnapshot["state"], string> = {
  connecting: "Connecting…",
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Not saved (offline)",
  offline: "Offline, reconnecting…",
  refused: "Not saved",
};

/**
 * Whether the viewer's edits are stored, as the server's acknowledgements say. Observers'
 * edits are never stored, so for them the line says what they are instead.
 */
export function SaveStatus({
  save,
  observing,
  echo = false,
}: {
  save: SaveSnapshot;
  observing: boolean;
  /** A second copy (the phone's action bar): shown, but not announced twice. */
  echo?: boolean;
}) {
  const base = echo ? "save-status-echo" : "save-status";
  const role = echo ? undefined : "status";
  if (observing) {
    const offline = save.connection === "disconnected";
    return (
      <span role={role} aria-hidden={echo || undefined} className={`${base} save-status-observing`}>
        {offline ? "Read-only · offline" : "Read-only"}
      </span>
    );
  }
  const tone =
    save.state === "saved"
      ? "saved"
      : save.state === "unsaved" || save.state === "refused"
        ? "unsaved"
        : save.state;
  return (
    <span
      role={role}
      aria-hidden={echo || undefined}
      className={`${base} save-status-${tone}`}
      title={save.refusal ? save.refusal.reason : undefined}
    >
      {save.state === "unsaved" && save.connection === "connected"
        ? "Not saved (no answer from the server)"
        : saveText[save.state]}
    </span>
  );
}

/** Who is here, each with their colour, and which field they are on. */
export function PresenceList({
  participants,
  fieldLabel,
}: {
  participants: ReadonlyArray<Participant>;
  fieldLabel: (fieldId: string) => string;
}) {
  return (
    <ul className="presence" aria-label="In the room">
      {participants.map((participant) => {
        const where = participant.fields.map(fieldLabel).join(", ");
        const description = `${participant.name}${participant.self ? " (you)" : ""}${
          participant.role ? `, ${participant.role}` : ""
        }${where ? `, on ${where}` : ""}`;
        return (
          <li
            key={participant.key}
            className="presence-person"
            data-presence-name={participant.name}
            title={description}
          >
            <span
              className="avatar"
              style={{
                backgroundColor: participant.colour,
                color: readableTextOn(participant.colour),
              }}
              aria-hidden="true"
            >
              {initials(participant.name)}
            </span>
            <span className="visually-hidden">{description}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** Small colour dots on a field for the others working on it. */
export function FieldPresence({
  participants,
  fieldId,
}: {
  participants: ReadonlyArray<Participant>;
  fieldId: string;
}) {
  const here = participants.filter(
    (participant) => !participant.self && participant.fields.includes(fieldId),
  );
  if (here.length === 0) return null;
  return (
    <span className="field-presence">
      {here.map((participant) => (
        <span
          key={participant.key}
          className="avatar avatar-small"
          style={{ backgroundColor: participant.colour, color: readableTextOn(participant.colour) }}
          title={`${participant.name} is here`}
        >
          {initials(participant.name)}
        </span>
      ))}
      <span className="visually-hidden">
        {here.map((participant) => participant.name).join(", ")} working here
      </span>
    </span>
  );
}

/** The top of a room: where it is, what it is, who is here and whether edits are saved. */
export function RoomBar({
  breadcrumb,
  title,
  participants,
  fieldLabel,
  save,
  observing,
  children,
}: {
  breadcrumb: ReactNode;
  title: ReactNode;
  participants: ReadonlyArray<Participant>;
  fieldLabel: (fieldId: string) => string;
  save: SaveSnapshot;
  observing: boolean;
  children?: ReactNode;
}) {
  return (
    <header className="room-bar">
      <div className="room-title">
        <p className="project-breadcrumb">{breadcrumb}</p>
        <h1>{title}</h1>
      </div>
      <div className="room-status">
        <PresenceList participants={participants} fieldLabel={fieldLabel} />
        <SaveStatus save={save} observing={observing} />
        {children}
      </div>
    </header>
  );
}

/** What went wrong with the connection, and the way out. */
export function ConnectionNotices({
  lostChange,
  refusal,
  onRestart,
}: {
  lostChange: string | null;
  refusal: SaveSnapshot["refusal"];
  onRestart: () => void;
}) {
  return (
    <>
      {lostChange ? (
        <p className="notice notice-warn" role="alert">
          {lostChange}
        </p>
      ) : null}
      {refusal?.code === SyncCloseCode.accessRevoked ? (
        <div className="notice notice-warn" role="alert">
          <p>Your access to this room has ended: {refusal.reason}</p>
          <SignInAgain />
        </div>
      ) : refusal ? (
        <div className="notice notice-warn" role="alert">
          <p>
            The server refused a change and closed this connection
            {refusal.reason ? ` (${refusal.reason})` : ` (code ${refusal.code})`}; nothing of it was
            stored.
          </p>
          <button type="button" className="button button-small" onClick={onRestart}>
            Continue from the saved room
          </button>
        </div>
      ) : null}
    </>
  );
}

/** Back to this very room once signed in. */
function SignInAgain() {
  const { pathname } = useLocation();
  return (
    <a className="button button-small" href={`/login?redirectTo=${encodeURIComponent(pathname)}`}>
      Sign in again
    </a>
  );
}
