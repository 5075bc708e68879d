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

/** Numbered actions are listed once, as a range ("1–5"), rather than nine rows each. */
const NUMBERED = /^(rating|choice|category)([1-9])$/;

function numberedSummary(prefix: string): string {
  return {
    rating: "Rate 1st, 2nd … value of the scale",
    choice: "Choose the 1st, 2nd … option",
    category: "Mark the selection with the 1st, 2nd … category",
  }[prefix]!;
}

/** The shortcuts that matter for this template, as the user has mapped them. */
export function ShortcutLegend({
  keymap,
  fields,
  responseCount,
  descriptions = {},
  note,
}: {
  keymap: Keymap;
  fields: ReadonlyArray<TemplateField>;
  responseCount: number;
  /** Pages other than labeling word some actions their own way; null leaves an action out. */
  descriptions?: Partial<Record<string, string | null>>;
  note?: ReactNode;
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
            const first = keymap[`${numbered[1]}1`]?.[0];
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
