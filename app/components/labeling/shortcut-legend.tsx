import {
  describeChord,
  shortcutActions,
  type Keymap,
  type ShortcutScope,
} from "~/domain/shortcuts.ts";
import type { ReactNode } from "react";
import type { TemplateField } from "~/domain/template.ts";

const scopeTitles: Record<ShortcutScope, string> = {
  global: "Anywhere",
  rating: "Ratings",
  preference: "Preference",
  ranking: "Ranking",
  choice: "Choices",
  reader: "Reading a response",
};

/** Numbered actions are listed once, as a range ("0–9"), rather than ten rows each. */
const NUMBERED = /^(rating|choice|category)([0-9])$/;

function numberedSummary(prefix: string): string {
  return {
    rating:
      "Type the value: one key on a 0–9 scale; on longer scales type its digits within a second (1 then 0 for 10)",
    choice:
      "Type the number shown on the option; past 9, two digits within a second (1 then 2 for the 12th)",
    category:
      "Type the number shown on a category to mark the selection with it; past 9, two digits",
  }[prefix]!;
}

/** The shortcuts that matter for this template, as the user has mapped them. */
export function ShortcutLegend({
  keymap,
  fields,
  responseCount,
  descriptions = {},
  note,
  features = {},
}: {
  keymap: Keymap;
  fields: ReadonlyArray<TemplateField>;
  responseCount: number;
  /** Pages other than labeling word some actions their own way; null leaves an action out. */
  descriptions?: Partial<Record<string, string | null>>;
  note?: ReactNode;
  /** What the page offers beyond the fields; shortcuts for anything else are left out. */
  features?: { guidelines?: boolean; flag?: boolean; severityKey?: boolean; previous?: boolean };
}) {
  const types = new Set(fields.map((field) => field.type));
  const scopes: ShortcutScope[] = ["global"];
  for (const scope of ["preference", "rating", "ranking", "choice"] as const) {
    if (types.has(scope)) scopes.push(scope);
  }
  if (types.has("spans")) scopes.push("reader");
  const relevant = (id: string) => {
    if (id === "focusText") return types.has("text");
    if (id === "focusRewrite") return types.has("rewrite");
    if (id === "focusResponse2") return responseCount > 1;
    if (id === "toggleGuidelines") return features.guidelines === true;
    if (id === "flag") return features.flag === true;
    if (id === "previous") return features.previous === true;
    if (id === "severity") return features.severityKey === true;
    return descriptions[id] !== null;
  };
  return (
    <aside className="shortcut-legend card" aria-labelledby="legend-heading">
      <h2 id="legend-heading" className="section-label">
        Keyboard shortcuts
      </h2>
      {scopes.map((scope) => {
        const rows: Array<{ key: string; chords: string[]; description: string }> = [];
        const seenNumbered = new Set<string>();
        for (const action of shortcutActions) {
          if (action.scope !== scope || !relevant(action.id)) continue;
          const numbered = NUMBERED.exec(action.id);
          if (numbered) {
            if (seenNumbered.has(numbered[1])) continue;
            seenNumbered.add(numbered[1]);
            const first = keymap[`${numbered[1]}0`]?.[0];
            const last = keymap[`${numbered[1]}9`]?.[0];
            rows.push({
              key: action.id,
              chords: first && last ? [`${first}–${last}`] : [],
              description: numberedSummary(numbered[1]),
            });
            continue;
          }
          rows.push({
            key: action.id,
            chords: keymap[action.id] ?? [],
            description: descriptions[action.id] ?? action.description,
          });
        }
        return (
          <section key={scope} className="legend-group">
            <h3>{scopeTitles[scope]}</h3>
            <dl>
              {rows.map((row) => (
                <div key={row.key} className="legend-row">
                  <dt>
                    {row.chords.length === 0 ? (
                      <span className="muted small">unbound</span>
                    ) : (
                      row.chords.map((chord) => (
                        <kbd key={chord} className="kbd">
                          {chord.includes("–") ? chord : describeChord(chord)}
                        </kbd>
                      ))
                    )}
                  </dt>
                  <dd>{row.description}</dd>
                </div>
              ))}
            </dl>
          </section>
        );
      })}
      <p className="muted small legend-note">
        {note ?? (
          <>
            In a text box, hold Alt with a key (Alt+J for the next field); Esc leaves the text box.
            Ctrl+Enter submits from anywhere.
          </>
        )}
      </p>
    </aside>
  );
}
