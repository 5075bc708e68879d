import { z } from "zod";

/**
 * Keyboard shortcuts of the labeling page. A chord is written as the keys are pressed:
 * modifiers first, in the order `Mod` (Ctrl, or Cmd on a Mac), `Alt`, `Shift`, then the key as
 * `KeyboardEvent.key` names it, letters in lower case: "1", "Shift+ArrowLeft", "Alt+s",
 * "Mod+Enter". Printable keys other than letters carry Shift in the character itself ("?" not
 * "Shift+/"), so a chord means the same on every keyboard layout that can type it.
 *
 * Shortcuts belong to a scope. Global ones work wherever focus is; a field's work while that
 * field has focus; the reader's while a response has focus (for marking spans). In a text input,
 * typing must type, so there a global shortcut is reached by adding Alt (Alt+j for "j").
 */

export type ShortcutScope = "global" | "rating" | "preference" | "ranking" | "choice" | "reader";

export interface ShortcutAction {
  id: string;
  scope: ShortcutScope;
  description: string;
  defaults: string[];
}

/**
 * Number keys type numbers. In a rating the number is the value itself (4 is 4 on a 0–4 scale);
 * in a choice and among span categories or severities it is the position shown on the button,
 * from 1. A number that could still grow (1 among twelve options) waits for another digit for a
 * moment (`NUMBER_ENTRY_PAUSE_MS` in the labeling components), so 1 then 2 is the twelfth.
 */
const digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

export const shortcutActions: ReadonlyArray<ShortcutAction> = [
  {
    id: "submit",
    scope: "global",
    description: "Submit and go to the next item",
    defaults: ["Mod+Enter"],
  },
  { id: "skip", scope: "global", description: "Skip this item with a reason", defaults: ["Alt+s"] },
  { id: "nextField", scope: "global", description: "Next field", defaults: ["j"] },
  { id: "previousField", scope: "global", description: "Previous field", defaults: ["k"] },
  { id: "focusText", scope: "global", description: "Write the critique", defaults: ["c"] },
  { id: "focusRewrite", scope: "global", description: "Edit the rewrite", defaults: ["w"] },
  {
    id: "focusResponse1",
    scope: "global",
    description: "Read response A (to mark spans)",
    defaults: ["a"],
  },
  {
    id: "focusResponse2",
    scope: "global",
    description: "Read response B (to mark spans)",
    defaults: ["b"],
  },
  {
    id: "previous",
    scope: "global",
    description: "Change the label you submitted last, while its item waits for others",
    defaults: ["Alt+p"],
  },
  {
    id: "flag",
    scope: "global",
    description: "Flag this item for a lead, with a note",
    defaults: ["Alt+l"],
  },
  {
    id: "toggleGuidelines",
    scope: "global",
    description: "Show or hide the project's guidelines",
    defaults: ["g"],
  },
  {
    id: "toggleLegend",
    scope: "global",
    description: "Show or hide the shortcut list",
    defaults: ["?"],
  },

  ...digits.map((digit) => ({
    id: `rating${digit}`,
    scope: "rating" as const,
    description: `Type the digit ${digit} of the value (one key on a 0–9 scale)`,
    defaults: [digit],
  })),
  {
    id: "ratingUp",
    scope: "rating",
    description: "Raise the rating by one",
    defaults: ["ArrowRight", "ArrowUp"],
  },
  {
    id: "ratingDown",
    scope: "rating",
    description: "Lower the rating by one",
    defaults: ["ArrowLeft", "ArrowDown"],
  },

  {
    id: "preferFirstClearly",
    scope: "preference",
    description: "A is clearly better",
    defaults: ["Shift+ArrowLeft"],
  },
  { id: "preferFirst", scope: "preference", description: "A is better", defaults: ["ArrowLeft"] },
  { id: "preferTie", scope: "preference", description: "A tie", defaults: ["0", "="] },
  { id: "preferSecond", scope: "preference", description: "B is better", defaults: ["ArrowRight"] },
  {
    id: "preferSecondClearly",
    scope: "preference",
    description: "B is clearly better",
    defaults: ["Shift+ArrowRight"],
  },

  {
    id: "rankCursorUp",
    scope: "ranking",
    description: "Select the response above",
    defaults: ["ArrowUp"],
  },
  {
    id: "rankCursorDown",
    scope: "ranking",
    description: "Select the response below",
    defaults: ["ArrowDown"],
  },
  {
    id: "rankMoveUp",
    scope: "ranking",
    description: "Move the selected response up",
    defaults: ["Shift+ArrowUp"],
  },
  {
    id: "rankMoveDown",
    scope: "ranking",
    description: "Move the selected response down",
    defaults: ["Shift+ArrowDown"],
  },
  {
    id: "rankConfirm",
    scope: "ranking",
    description: "Accept the order as shown",
    defaults: ["Enter"],
  },

  ...digits.map((digit) => ({
    id: `choice${digit}`,
    scope: "choice" as const,
    description: `Type the digit ${digit} of an option's number`,
    defaults: [digit],
  })),

  ...digits.map((digit) => ({
    id: `category${digit}`,
    scope: "reader" as const,
    description: `Type the digit ${digit} of a category's (or, after the severity key, a severity's) number`,
    defaults: [digit],
  })),
  {
    id: "severity",
    scope: "reader",
    description: "Set the severity of the span just marked: this key, then the severity's number",
    defaults: ["s"],
  },
  {
    id: "caretWordForward",
    scope: "reader",
    description: "Move to the next word",
    defaults: ["ArrowRight"],
  },
  {
    id: "caretWordBackward",
    scope: "reader",
    description: "Move to the previous word",
    defaults: ["ArrowLeft"],
  },
  {
    id: "caretLineDown",
    scope: "reader",
    description: "Move to the next line",
    defaults: ["ArrowDown"],
  },
  {
    id: "caretLineUp",
    scope: "reader",
    description: "Move to the previous line",
    defaults: ["ArrowUp"],
  },
  {
    id: "extendWordForward",
    scope: "reader",
    description: "Extend the selection by a word",
    defaults: ["Shift+ArrowRight"],
  },
  {
    id: "extendWordBackward",
    scope: "reader",
    description: "Shrink the selection by a word",
    defaults: ["Shift+ArrowLeft"],
  },
  {
    id: "extendCharacterForward",
    scope: "reader",
    description: "Extend the selection by a character",
    defaults: ["Alt+Shift+ArrowRight"],
  },
  {
    id: "extendCharacterBackward",
    scope: "reader",
    description: "Shrink the selection by a character",
    defaults: ["Alt+Shift+ArrowLeft"],
  },
  {
    id: "extendLineDown",
    scope: "reader",
    description: "Extend the selection by a line",
    defaults: ["Shift+ArrowDown"],
  },
  {
    id: "extendLineUp",
    scope: "reader",
    description: "Shrink the selection by a line",
    defaults: ["Shift+ArrowUp"],
  },
  {
    id: "selectSentence",
    scope: "reader",
    description: "Select the sentence at the caret",
    defaults: ["."],
  },
  { id: "leaveReader", scope: "reader", description: "Back to the fields", defaults: ["Escape"] },
];

const actionsById = new Map(shortcutActions.map((action) => [action.id, action]));

export function findShortcutAction(id: string): ShortcutAction | undefined {
  return actionsById.get(id);
}

/** Action id → the chords bound to it. */
export type Keymap = Record<string, string[]>;

/** What a user changed: only the actions they rebound (an empty list unbinds an action). */
export type KeymapOverrides = Record<string, string[]>;

const NAMED_KEYS = new Set([
  "Enter",
  "Escape",
  "Tab",
  "Space",
  "Backspace",
  "Delete",
  "ArrowLeft",
  "ArrowRight",
  "ArrowUp",
  "ArrowDown",
  "Home",
  "End",
  "PageUp",
  "PageDown",
  ...Array.from({ length: 12 }, (_, index) => `F${index + 1}`),
]);

const chordPattern = /^(Mod\+)?(Alt\+)?(Shift\+)?(.+)$/;

/** A chord that the page can both recognise and show. */
export function isValidChord(chord: string): boolean {
  const match = chordPattern.exec(chord);
  if (!match) return false;
  const [, , , shift, key] = match;
  if (NAMED_KEYS.has(key)) return true;
  if (/^[a-z]$/.test(key)) return true;
  // Other printable characters carry Shift in the character itself.
  return [...key].length === 1 && key !== " " && key !== "+" && !/[A-Z]/.test(key) && !shift;
}

export const chordSchema = z.string().max(40).refine(isValidChord, "is not a valid key");

export const keymapOverridesSchema = z
  .record(z.string(), z.array(chordSchema).max(4))
  .superRefine((overrides, context) => {
    for (const actionId of Object.keys(overrides)) {
      if (!actionsById.has(actionId)) {
        context.addIssue({ code: "custom", message: "no such action", path: [actionId] });
      }
    }
  });

/** Only the fields of a key event that decide the chord, so the function is usable anywhere. */
export interface KeyPress {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * The chord a key press makes. With Alt held, the key comes from the physical key (`code`),
 * because on a Mac Alt turns "s" into "ß" and the shortcut must still be Alt+s.
 */
export function chordFromKeyPress(press: KeyPress): string | null {
  if (["Control", "Meta", "Alt", "Shift", "AltGraph", "CapsLock"].includes(press.key)) return null;
  let key = press.key === " " ? "Space" : press.key;
  let shiftCounts = NAMED_KEYS.has(key);
  if (press.altKey) {
    const letter = /^Key([A-Z])$/.exec(press.code);
    const digit = /^Digit([0-9])$/.exec(press.code);
    if (letter) key = letter[1].toLowerCase();
    else if (digit) key = digit[1];
    if (letter || digit) shiftCounts = true;
  }
  if (/^[A-Za-z]$/.test(key)) {
    key = key.toLowerCase();
    shiftCounts = true;
  }
  const parts = [
    press.ctrlKey || press.metaKey ? "Mod" : null,
    press.altKey ? "Alt" : null,
    press.shiftKey && shiftCounts ? "Shift" : null,
    key,
  ];
  return parts.filter((part): part is string => part !== null).join("+");
}

/** Adds Alt to a chord that lacks it: how a global shortcut is reached from a text input. */
export function withAlt(chord: string): string {
  const match = chordPattern.exec(chord)!;
  const [, mod, alt, shift, key] = match;
  if (alt || mod) return chord;
  return `Alt+${shift ?? ""}${key}`;
}

export function defaultKeymap(): Keymap {
  return Object.fromEntries(shortcutActions.map((action) => [action.id, [...action.defaults]]));
}

/** The defaults with a user's remapping applied; unknown actions and bad chords are ignored. */
export function mergeKeymap(overrides: unknown): Keymap {
  const keymap = defaultKeymap();
  const parsed = keymapOverridesSchema.safeParse(overrides);
  if (!parsed.success) return keymap;
  for (const [actionId, chords] of Object.entries(parsed.data)) {
    keymap[actionId] = [...new Set(chords)];
  }
  return keymap;
}

/** Only the actions whose chords differ from the defaults: what is worth storing. */
export function overridesFrom(keymap: Keymap): KeymapOverrides {
  const overrides: KeymapOverrides = {};
  for (const action of shortcutActions) {
    const chords = keymap[action.id] ?? [];
    const same =
      chords.length === action.defaults.length &&
      chords.every((chord, index) => chord === action.defaults[index]);
    if (!same) overrides[action.id] = chords;
  }
  return overrides;
}

export interface ShortcutConflict {
  chord: string;
  actionIds: string[];
}

/**
 * Chords that would do two things at once. Two actions clash when one chord reaches both in some
 * place focus can be: a field's or the reader's shortcuts with each other and with the global
 * ones, and inside text inputs the global ones with Alt added, with each other.
 */
export function findConflicts(keymap: Keymap): ShortcutConflict[] {
  const places: Array<{ scopes: ShortcutScope[]; inTextInput: boolean }> = [
    { scopes: ["global"], inTextInput: true },
    ...(["rating", "preference", "ranking", "choice", "reader"] as const).map((scope) => ({
      scopes: ["global", scope] as ShortcutScope[],
      inTextInput: false,
    })),
  ];
  const conflicts = new Map<string, Set<string>>();
  for (const place of places) {
    const byChord = new Map<string, Set<string>>();
    for (const action of shortcutActions) {
      if (!place.scopes.includes(action.scope)) continue;
      for (const chord of keymap[action.id] ?? []) {
        const reached = place.inTextInput ? withAlt(chord) : chord;
        const actions = byChord.get(reached) ?? new Set<string>();
        actions.add(action.id);
        byChord.set(reached, actions);
      }
    }
    for (const [chord, actions] of byChord) {
      if (actions.size < 2) continue;
      const known = conflicts.get(chord) ?? new Set<string>();
      actions.forEach((id) => known.add(id));
      conflicts.set(chord, known);
    }
  }
  return [...conflicts].map(([chord, actionIds]) => ({ chord, actionIds: [...actionIds].sort() }));
}

/**
 * Which action a key press means, given where focus is. In a text input only Alt chords and
 * Mod+Enter act, so typing is never taken over. Elsewhere Alt is optional, so a hand that
 * keeps Alt held out of habit still works.
 */
export function resolveShortcut(
  keymap: Keymap,
  chord: string,
  place: { scope: ShortcutScope | null; inTextInput: boolean },
): string | null {
  const scopes: ShortcutScope[] = place.scope ? [place.scope, "global"] : ["global"];
  const find = (candidate: string, inTextInput: boolean) => {
    for (const scope of scopes) {
      for (const action of shortcutActions) {
        if (action.scope !== scope) continue;
        const chords = keymap[action.id] ?? [];
        if (chords.some((bound) => (inTextInput ? withAlt(bound) : bound) === candidate)) {
          return action.id;
        }
      }
    }
    return null;
  };
  if (place.inTextInput) {
    if (!chord.startsWith("Alt+") && !chord.startsWith("Mod+")) return null;
    return find(chord, true);
  }
  return find(chord, false) ?? (chord.startsWith("Alt+") ? find(chord.slice(4), false) : null);
}

/** A chord as people read it: "Ctrl+Enter", "Shift+←". */
export function describeChord(chord: string, platform: "mac" | "other" = "other"): string {
  const arrows: Record<string, string> = {
    ArrowLeft: "←",
    ArrowRight: "→",
    ArrowUp: "↑",
    ArrowDown: "↓",
    Escape: "Esc",
  };
  return chord
    .split("+")
    .map((part, index, parts) => {
      if (index === parts.length - 1)
        return arrows[part] ?? (part.length === 1 ? part.toUpperCase() : part);
      if (part === "Mod") return platform === "mac" ? "⌘" : "Ctrl";
      if (part === "Alt") return platform === "mac" ? "⌥" : "Alt";
      return part;
    })
    .join(platform === "mac" ? "" : "+");
}
