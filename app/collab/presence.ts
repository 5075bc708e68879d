import { useCallback, useRef, useSyncExternalStore } from "react";
import type { Awareness } from "y-protocols/awareness";
import { z } from "zod";

/**
 * Presence in a room. Every state a browser receives carries the `user` the server stamped on
 * it (name, role, colour; the id is null when the name is a pseudonym); a browser sets only its
 * own fields: `field`, the template field it is working on, and `cursor`, which the text editors
 * maintain.
 */
const stampedUserSchema = z.object({
  id: z.number().nullable(),
  name: z.string(),
  role: z.string().nullable(),
  colour: z.string(),
});

const presenceStateSchema = z.object({
  user: stampedUserSchema,
  field: z.string().nullable().optional(),
});

export interface Participant {
  /** Stable per person: their id, or their shown name when the id is withheld. */
  key: string;
  name: string;
  role: string | null;
  colour: string;
  /** The fields they are on, in any of their tabs. */
  fields: string[];
  self: boolean;
}

export interface SelfIdentity {
  id: number;
  name: string;
  role: string | null;
  colour: string;
}

function participantsOf(awareness: Awareness, self: SelfIdentity): Participant[] {
  const byKey = new Map<string, Participant>();
  const ownFields: string[] = [];
  const ownField = awareness.getLocalState()?.field;
  if (typeof ownField === "string") ownFields.push(ownField);
  byKey.set(`user:${self.id}`, {
    key: `user:${self.id}`,
    name: self.name,
    role: self.role,
    colour: self.colour,
    fields: ownFields,
    self: true,
  });
  awareness.getStates().forEach((raw, clientId) => {
    if (clientId === awareness.clientID) return;
    const parsed = presenceStateSchema.safeParse(raw);
    if (!parsed.success) return;
    const { user, field } = parsed.data;
    const key = user.id === null ? `name:${user.name}` : `user:${user.id}`;
    const entry = byKey.get(key) ?? {
      key,
      name: user.name,
      role: user.role,
      colour: user.colour,
      fields: [],
      self: false,
    };
    if (field && !entry.fields.includes(field)) entry.fields.push(field);
    byKey.set(key, entry);
  });
  return [...byKey.values()];
}

/** Who is in the room now, the viewer first, one entry per person however many tabs they have. */
export function usePresence(awareness: Awareness | undefined, self: SelfIdentity): Participant[] {
  const cache = useRef<{ key: string; value: Participant[] }>({ key: "", value: [] });
  const subscribe = useCallback(
    (listener: () => void) => {
      if (!awareness) return () => undefined;
      awareness.on("change", listener);
      return () => awareness.off("change", listener);
    },
    [awareness],
  );
  const getSnapshot = () => {
    const value = awareness ? participantsOf(awareness, self) : [];
    const key = JSON.stringify(value);
    if (key !== cache.current.key) cache.current = { key, value };
    return cache.current.value;
  };
  return useSyncExternalStore(subscribe, getSnapshot, () => cache.current.value);
}

/** Tells the others which field this browser is working on (null: none). */
export function announceField(awareness: Awareness | undefined, fieldId: string | null): void {
  if (!awareness) return;
  if ((awareness.getLocalState()?.field ?? null) === fieldId) return;
  awareness.setLocalStateField("field", fieldId);
}

/** Initials for an avatar: "Dr Ada Lovelace" → "AL", "Annotator B" → "AB". */
export function initials(name: string): string {
  const words = name
    .replace(/^(dr|prof|mr|mrs|ms)\.?\s+/i, "")
    .split(/\s+/)
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters
    .map((word) => [...word][0]?.toUpperCase() ?? "")
    .join("")
    .slice(0, 2);
}

const BLACK = "#000000";
const WHITE = "#ffffff";

/** WCAG 2.1 relative luminance of a `#rgb` or `#rrggbb` colour; null for anything else. */
export function relativeLuminance(colour: string): number | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour.trim());
  if (!match) return null;
  const hex =
    match[1].length === 3 ? [...match[1]].map((digit) => digit + digit).join("") : match[1];
  const [red, green, blue] = [0, 2, 4].map((start) => {
    const channel = parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** The WCAG contrast ratio of two luminances. */
export function contrastRatio(first: number, second: number): number {
  const [lighter, darker] = first > second ? [first, second] : [second, first];
  return (lighter + 0.05) / (darker + 0.05);
}

/**
 * White or black, whichever contrasts more with a participant's colour: initials on a
 * pale colour are unreadable in white. Unknown colours get white, on the default dark avatar.
 */
export function readableTextOn(background: string): string {
  const luminance = relativeLuminance(background);
  if (luminance === null) return WHITE;
  const onWhite = contrastRatio(luminance, 1);
  const onBlack = contrastRatio(luminance, relativeLuminance(BLACK)!);
  return onWhite >= onBlack ? WHITE : BLACK;
}

/** A remote caret that has not moved for this long is no longer drawn. */
export const CURSOR_IDLE_MS = 60_000;
const IDLE_CHECK_MS = 5_000;

/**
 * When each remote client's caret last moved, by what it announced: the awareness renewal every
 * 15 s repeats the same caret and does not count as a move.
 */
export class CursorActivity {
  private readonly moves = new Map<number, { cursor: string; at: number }>();

  constructor(private readonly idleMs: number = CURSOR_IDLE_MS) {}

  /** Whether the caret in this state is live at `now`, remembering it as seen. */
  isLive(clientId: number, cursor: unknown, now: number): boolean {
    if (cursor === null || cursor === undefined) {
      this.moves.delete(clientId);
      return false;
    }
    const key = JSON.stringify(cursor);
    const seen = this.moves.get(clientId);
    if (!seen || seen.cursor !== key) {
      this.moves.set(clientId, { cursor: key, at: now });
      return true;
    }
    return now - seen.at < this.idleMs;
  }

  /** Clients whose caret is drawn but has gone idle by `now`. */
  newlyIdle(now: number, drawnBefore: ReadonlySet<number>): number[] {
    return [...this.moves.entries()]
      .filter(([clientId, seen]) => drawnBefore.has(clientId) && now - seen.at >= this.idleMs)
      .map(([clientId]) => clientId);
  }
}

type AwarenessListener = (
  changes: { added: number[]; updated: number[]; removed: number[] },
  origin: unknown,
) => void;

/**
 * The awareness as y-codemirror.next reads it, which looks for `user.color` and
 * `user.colorLight`; the server stamps `user.colour`. A caret is drawn only while its owner is
 * here and moving it: y-codemirror keeps drawing one whose owner clicked elsewhere in the page,
 * so a caret left still for `CURSOR_IDLE_MS` is dropped (and the editors clear their own caret
 * when they lose focus). `destroy` stops the idle check.
 */
export function cursorAwareness(awareness: Awareness, activity = new CursorActivity()) {
  const listeners = new Set<AwarenessListener>();
  const drawn = new Set<number>();
  const idleCheck = setInterval(() => {
    const idle = activity.newlyIdle(Date.now(), drawn);
    if (idle.length === 0) return;
    for (const clientId of idle) drawn.delete(clientId);
    for (const listener of listeners) listener({ added: [], updated: idle, removed: [] }, "idle");
  }, IDLE_CHECK_MS);
  return {
    doc: awareness.doc,
    on: (event: "change", listener: AwarenessListener) => {
      listeners.add(listener);
      awareness.on(event, listener);
    },
    off: (event: "change", listener: AwarenessListener) => {
      listeners.delete(listener);
      awareness.off(event, listener);
    },
    getLocalState: () => awareness.getLocalState(),
    setLocalStateField: (field: string, value: unknown) =>
      awareness.setLocalStateField(field, value),
    getStates: () => {
      const now = Date.now();
      const states = new Map<number, Record<string, unknown>>();
      awareness.getStates().forEach((state, clientId) => {
        const parsed = stampedUserSchema.safeParse(state.user);
        const live =
          clientId !== awareness.clientID && activity.isLive(clientId, state.cursor, now);
        if (live) drawn.add(clientId);
        else drawn.delete(clientId);
        const { cursor, ...rest } = state;
        states.set(clientId, {
          ...rest,
          ...(live || clientId === awareness.clientID ? { cursor } : {}),
          ...(parsed.success
            ? {
                user: {
                  name: parsed.data.name,
                  color: parsed.data.colour,
                  colorLight: `${parsed.data.colour}33`,
                },
              }
            : {}),
        });
      });
      return states;
    },
    destroy: () => clearInterval(idleCheck),
  };
}
