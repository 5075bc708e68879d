import { describe, expect, test } from "vitest";
import {
  chordFromKeyPress,
  defaultKeymap,
  describeChord,
  findConflicts,
  isValidChord,
  keymapOverridesSchema,
  mergeKeymap,
  overridesFrom,
  resolveShortcut,
  shortcutActions,
  type KeyPress,
} from "./shortcuts.ts";

function press(key: string, extra: Partial<KeyPress> = {}): KeyPress {
  return {
    key,
    code: "",
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...extra,
  };
}

describe("chords from key presses", () => {
  test("plain keys, letters in lower case, Shift only where it is not in the character", () => {
    expect(chordFromKeyPress(press("1"))).toBe("1");
    expect(chordFromKeyPress(press("A", { shiftKey: true, code: "KeyA" }))).toBe("Shift+a");
    expect(chordFromKeyPress(press("?", { shiftKey: true, code: "Slash" }))).toBe("?");
    expect(chordFromKeyPress(press("ArrowLeft", { shiftKey: true }))).toBe("Shift+ArrowLeft");
    expect(chordFromKeyPress(press(" "))).toBe("Space");
    expect(chordFromKeyPress(press("Shift", { shiftKey: true }))).toBeNull();
  });

  test("Ctrl and Cmd are both Mod", () => {
    expect(chordFromKeyPress(press("Enter", { ctrlKey: true }))).toBe("Mod+Enter");
    expect(chordFromKeyPress(press("Enter", { metaKey: true }))).toBe("Mod+Enter");
  });

  test("with Alt the physical key decides, as a Mac turns Alt+s into ß", () => {
    expect(chordFromKeyPress(press("ß", { altKey: true, code: "KeyS" }))).toBe("Alt+s");
    expect(chordFromKeyPress(press("¡", { altKey: true, code: "Digit1" }))).toBe("Alt+1");
    expect(chordFromKeyPress(press("ArrowRight", { altKey: true, shiftKey: true }))).toBe(
      "Alt+Shift+ArrowRight",
    );
  });
});

describe("keymaps", () => {
  test("every default chord is valid and the defaults do not conflict", () => {
    for (const action of shortcutActions) {
      for (const chord of action.defaults) expect(isValidChord(chord), chord).toBe(true);
    }
    expect(findConflicts(defaultKeymap())).toEqual([]);
  });

  test("a remapping replaces the defaults of the actions it names and nothing else", () => {
    const keymap = mergeKeymap({ preferTie: ["t"], submit: ["Mod+s"] });
    expect(keymap.preferTie).toEqual(["t"]);
    expect(keymap.submit).toEqual(["Mod+s"]);
    expect(keymap.preferFirst).toEqual(["ArrowLeft"]);
    expect(overridesFrom(keymap)).toEqual({ preferTie: ["t"], submit: ["Mod+s"] });
  });

  test("stored remappings that no longer make sense fall back to the defaults", () => {
    expect(mergeKeymap({ noSuchAction: ["x"] })).toEqual(defaultKeymap());
    expect(mergeKeymap({ submit: ["Shift+?"] })).toEqual(defaultKeymap());
    expect(mergeKeymap("garbage")).toEqual(defaultKeymap());
    expect(keymapOverridesSchema.safeParse({ submit: ["Ctrl+Enter"] }).success).toBe(false);
  });

  test("a chord bound twice in one place is a conflict; in different fields it is not", () => {
    const sameField = mergeKeymap({ preferTie: ["ArrowLeft"] });
    expect(findConflicts(sameField)).toEqual([
      { chord: "ArrowLeft", actionIds: ["preferFirst", "preferTie"] },
    ]);
    // A rating and a choice are never focused together, so both may use 1.
    expect(mergeKeymap({}).rating1).toEqual(mergeKeymap({}).choice1);
    const globalAndField = mergeKeymap({ nextField: ["3"] });
    expect(findConflicts(globalAndField).map((conflict) => conflict.chord)).toEqual(["3"]);
  });

  test("in text inputs a global key gains Alt, which can clash with an Alt shortcut", () => {
    const keymap = mergeKeymap({ focusText: ["s"] });
    expect(findConflicts(keymap)).toEqual([
      { chord: "Alt+s", actionIds: ["focusText", "skip"] },
      // While reading a response, s is the severity key.
      { chord: "s", actionIds: ["focusText", "severity"] },
    ]);
  });
});

describe("resolving a key press", () => {
  const keymap = defaultKeymap();

  test("the focused field's shortcuts come before the global ones", () => {
    expect(resolveShortcut(keymap, "ArrowLeft", { scope: "preference", inTextInput: false })).toBe(
      "preferFirst",
    );
    expect(resolveShortcut(keymap, "ArrowLeft", { scope: "rating", inTextInput: false })).toBe(
      "ratingDown",
    );
    expect(resolveShortcut(keymap, "3", { scope: "reader", inTextInput: false })).toBe("category3");
    expect(resolveShortcut(keymap, "j", { scope: "rating", inTextInput: false })).toBe("nextField");
    expect(resolveShortcut(keymap, "3", { scope: null, inTextInput: false })).toBeNull();
  });

  test("every digit has a key in ratings, choices and the reader; 0 stays the tie", () => {
    for (const digit of "0123456789") {
      expect(resolveShortcut(keymap, digit, { scope: "rating", inTextInput: false })).toBe(
        `rating${digit}`,
      );
      expect(resolveShortcut(keymap, digit, { scope: "choice", inTextInput: false })).toBe(
        `choice${digit}`,
      );
      expect(resolveShortcut(keymap, digit, { scope: "reader", inTextInput: false })).toBe(
        `category${digit}`,
      );
    }
    expect(resolveShortcut(keymap, "0", { scope: "preference", inTextInput: false })).toBe(
      "preferTie",
    );
    expect(resolveShortcut(keymap, "s", { scope: "reader", inTextInput: false })).toBe("severity");
    expect(resolveShortcut(keymap, "s", { scope: "rating", inTextInput: false })).toBeNull();
  });

  test("the severity key and the digits can be remapped like any other", () => {
    const remapped = mergeKeymap({ severity: ["v"], rating4: ["r"] });
    expect(resolveShortcut(remapped, "v", { scope: "reader", inTextInput: false })).toBe(
      "severity",
    );
    expect(resolveShortcut(remapped, "r", { scope: "rating", inTextInput: false })).toBe("rating4");
    expect(resolveShortcut(remapped, "4", { scope: "rating", inTextInput: false })).toBeNull();
    expect(findConflicts(remapped)).toEqual([]);
  });

  test("in a text input plain keys type, Alt reaches the global shortcuts", () => {
    expect(resolveShortcut(keymap, "c", { scope: null, inTextInput: true })).toBeNull();
    expect(resolveShortcut(keymap, "Alt+j", { scope: null, inTextInput: true })).toBe("nextField");
    expect(resolveShortcut(keymap, "Alt+s", { scope: null, inTextInput: true })).toBe("skip");
    expect(resolveShortcut(keymap, "Mod+Enter", { scope: null, inTextInput: true })).toBe("submit");
  });

  test("outside text inputs Alt is optional", () => {
    expect(resolveShortcut(keymap, "Alt+c", { scope: "rating", inTextInput: false })).toBe(
      "focusText",
    );
    expect(resolveShortcut(keymap, "Alt+s", { scope: null, inTextInput: false })).toBe("skip");
  });
});

test("chords read naturally", () => {
  expect(describeChord("Mod+Enter")).toBe("Ctrl+Enter");
  expect(describeChord("Mod+Enter", "mac")).toBe("⌘Enter");
  expect(describeChord("Shift+ArrowLeft")).toBe("Shift+←");
  expect(describeChord("a")).toBe("A");
});
