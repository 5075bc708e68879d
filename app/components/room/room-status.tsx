import { Link, useLocation, useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useState, type ReactNode } from "react";
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

/**
 * Why the server ended this viewer's access (close code 4401), as far as the page can tell. The
 * server closes with the same code whether the session ended, the user left the project or an
 * annotator left the item's panel; the page asks the API with its own session which of these
 * holds now (docs/decisions/038-room-access-ends-told-apart-by-the-page.md). `restored`: the
 * viewer may open the room again (they signed in again elsewhere).
 */
type AccessEnd = "checking" | "signedOut" | "leftProject" | "leftPanel" | "restored" | "unknown";

/** Which of the room's readers the session may still use: the project's, and an item's room's. */
export interface AccessProbe {
  projectId: number;
  /** The item whose room this is; null for a review room, which has no panel. */
  itemId: number | null;
}

async function statusOf(url: string): Promise<number | null> {
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    return response.status;
  } catch {
    return null;
  }
}

const refusedStatuses = new Set([403, 404]);

async function whyAccessEnded({ projectId, itemId }: AccessProbe): Promise<AccessEnd> {
  const project = await statusOf(`/api/v1/projects/${projectId}`);
  if (project === 401) return "signedOut";
  if (project !== null && refusedStatuses.has(project)) return "leftProject";
  if (project !== 200) return "unknown";
  if (itemId === null) return "restored";
  // Whoever may read an item's adjudication (its leads, clients, admins and panel) may open
  // its room; an annotator who may not has left the panel.
  const room = await statusOf(`/api/v1/items/${itemId}/adjudication`);
  if (room === 401) return "signedOut";
  if (room !== null && refusedStatuses.has(room)) return "leftPanel";
  return room === 200 ? "restored" : "unknown";
}

function useAccessEnd(revoked: boolean, probe: AccessProbe): [AccessEnd, () => void] {
  const [end, setEnd] = useState<AccessEnd>("checking");
  const [attempt, setAttempt] = useState(0);
  const { projectId, itemId } = probe;
  useEffect(() => {
    if (!revoked) return;
    let current = true;
    setEnd("checking");
    void whyAccessEnded({ projectId, itemId }).then((found) => {
      if (current) setEnd(found);
    });
    return () => {
      current = false;
    };
  }, [revoked, projectId, itemId, attempt]);
  const checkAgain = useCallback(() => setAttempt((count) => count + 1), []);
  return [end, checkAgain];
}

/** What went wrong with the connection, and the way out. */
export function ConnectionNotices({
  lostChange,
  refusal,
  onRestart,
  access,
}: {
  lostChange: string | null;
  refusal: SaveSnapshot["refusal"];
  onRestart: () => void;
  access: AccessProbe;
}) {
  const revoked = refusal?.code === SyncCloseCode.accessRevoked;
  const [accessEnd, checkAgain] = useAccessEnd(revoked, access);
  // Access may have ended because the viewer's role changed: what the page offers (editing,
  // publishing, names or pseudonyms) is read again with the room.
  const { revalidate } = useRevalidator();
  const reopen = useCallback(() => {
    revalidate();
    onRestart();
  }, [revalidate, onRestart]);
  return (
    <>
      {lostChange ? (
        <p className="notice notice-warn" role="alert">
          {lostChange}
        </p>
      ) : null}
      {revoked ? (
        <AccessEnded
          end={accessEnd}
          reason={refusal.reason}
          projectId={access.projectId}
          onRestart={reopen}
          onCheckAgain={checkAgain}
        />
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

/**
 * The room closed to this viewer: what happened in their terms, and the one way out that can
 * help. Signing in again helps only when the session is what ended.
 */
function AccessEnded({
  end,
  reason,
  projectId,
  onRestart,
  onCheckAgain,
}: {
  end: AccessEnd;
  reason: string;
  projectId: number;
  onRestart: () => void;
  onCheckAgain: () => void;
}) {
  const headline = "Your access to this room has ended";
  const body: Record<AccessEnd, ReactNode> = {
    checking: <p>{`${headline}${reason ? `: ${reason}` : "."}`}</p>,
    signedOut: (
      <>
        <p>{headline}: your session has ended; sign in again to come back to this room.</p>
        <SignInAgain />
      </>
    ),
    leftPanel: (
      <>
        <p>
          {headline}: you are no longer on this item’s panel, so you can no longer edit its room.
          What it held when you left stays on this page, read-only.
        </p>
        <Link className="button button-small" to={`/projects/${projectId}`}>
          Leave the room
        </Link>
      </>
    ),
    leftProject: (
      <>
        <p>
          {headline}: you are no longer a member of this project. What the room held when you left
          stays on this page, read-only.
        </p>
        <Link className="button button-small" to="/projects">
          Leave the room
        </Link>
      </>
    ),
    restored: (
      <>
        <p>{headline}, but you may open it again now: you are signed in, with access to it.</p>
        <button type="button" className="button button-small" onClick={onRestart}>
          Continue from the saved room
        </button>
      </>
    ),
    unknown: (
      <>
        <p>
          {headline}
          {reason ? `: ${reason}` : "."} Quorum could not be asked why just now.
        </p>
        <button type="button" className="button button-small" onClick={onCheckAgain}>
          Check again
        </button>
      </>
    ),
  };
  return (
    <div className="notice notice-warn" role="alert">
      {body[end]}
    </div>
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
