import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import {
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
  useSubmit,
} from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import { FormAlert } from "~/components/field.tsx";
import {
  chordFromKeyPress,
  describeChord,
  findConflicts,
  isValidChord,
  mergeKeymap,
  overridesFrom,
  shortcutActions,
  type Keymap,
  type ShortcutScope,
} from "~/domain/shortcuts.ts";
import labelingStylesUrl from "~/styles/labeling.css?url";
import { loadShortcutSettings, saveShortcutSettings } from "./shortcuts.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: labelingStylesUrl }];

export const meta: MetaFunction = () => [{ title: "Keyboard shortcuts · Settings · Quorum" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadShortcutSettings(request, context);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return saveShortcutSettings(request, context);
}

const scopeTitles: Record<ShortcutScope, string> = {
  global: "Anywhere on the labeling page and in adjudication rooms",
  preference: "Preference fields",
  rating: "Rating fields",
  ranking: "Ranking fields",
  choice: "Choice fields",
  reader: "While reading a response (marking spans)",
};

const scopeOrder: ShortcutScope[] = [
  "global",
  "preference",
  "rating",
  "ranking",
  "choice",
  "reader",
];

export default function ShortcutSettings() {
  const { overrides } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [keymap, setKeymap] = useState<Keymap>(() => mergeKeymap(overrides));
  const [capturing, setCapturing] = useState<string | null>(null);
  const [captureError, setCaptureError] = useState<string | null>(null);

  useEffect(() => setKeymap(mergeKeymap(overrides)), [overrides]);

  const conflicts = useMemo(() => findConflicts(keymap), [keymap]);
  const conflicting = new Set(conflicts.flatMap((conflict) => conflict.actionIds));
  const changed = JSON.stringify(overridesFrom(keymap)) !== JSON.stringify(overrides);

  useEffect(() => {
    if (!capturing) return;
    const capture = (event: KeyboardEvent) => {
      if (event.key === "Tab") {
        setCapturing(null);
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      if (event.key === "Escape" && !event.shiftKey && !event.altKey) {
        setCapturing(null);
        return;
      }
      const chord = chordFromKeyPress(event);
      if (!chord) return;
      if (!isValidChord(chord)) {
        setCaptureError(`${chord} cannot be used as a shortcut.`);
        return;
      }
      setKeymap((current) => ({ ...current, [capturing]: [chord] }));
      setCaptureError(null);
      setCapturing(null);
    };
    window.addEventListener("keydown", capture, true);
    return () => window.removeEventListener("keydown", capture, true);
  }, [capturing]);

  const save = (shortcuts: Record<string, string[]>) =>
    submit({ shortcuts }, { method: "post", encType: "application/json" });

  const serverErrors = actionData?.fieldErrors.map((error) => error.message) ?? [];

  return (
    <>
      <div className="page-heading">
        <h1>Keyboard shortcuts</h1>
        <Link to="/settings">Back to settings</Link>
      </div>
      <div className="card stack">
        <p className="muted">
          Choose Change, then press the key you want. Esc cancels. In text boxes every shortcut on
          this page also works with Alt held (Alt+J for J).
        </p>
        <FormAlert
          errors={
            actionData
              ? [actionData.message, ...serverErrors]
              : conflicts.length > 0
                ? conflicts.map(
                    (conflict) =>
                      `${describeChord(conflict.chord)} is bound to more than one action: ${conflict.actionIds
                        .map(
                          (id) =>
                            shortcutActions.find((action) => action.id === id)?.description ?? id,
                        )
                        .join("; ")}`,
                  )
                : undefined
          }
        />
        {searchParams.get("saved") && !changed && !actionData ? (
          <p role="status" className="badge badge-ok">
            Shortcuts saved
          </p>
        ) : null}
        <p role="status" aria-live="polite" className="visually-hidden">
          {capturing ? "Press the new key" : ""}
          {captureError ?? ""}
        </p>
        {captureError ? <p className="label-field-error">{captureError}</p> : null}
        {scopeOrder.map((scope) => (
          <section key={scope} aria-labelledby={`scope-${scope}`}>
            <h2 id={`scope-${scope}`}>{scopeTitles[scope]}</h2>
            <div className="table-wrap">
              <table className="shortcut-table">
                <thead>
                  <tr>
                    <th scope="col">Action</th>
                    <th scope="col">Keys</th>
                    <th scope="col">
                      <span className="visually-hidden">Change</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shortcutActions
                    .filter((action) => action.scope === scope)
                    .map((action) => {
                      const chords = keymap[action.id] ?? [];
                      const isDefault = JSON.stringify(chords) === JSON.stringify(action.defaults);
                      return (
                        <tr
                          key={action.id}
                          className={
                            conflicting.has(action.id) ? "shortcut-row-conflict" : undefined
                          }
                        >
                          <th scope="row">{action.description}</th>
                          <td className="shortcut-keys">
                            {capturing === action.id ? (
                              <span className="shortcut-capturing">Press a key…</span>
                            ) : chords.length === 0 ? (
                              <span className="muted">None</span>
                            ) : (
                              chords.map((chord) => (
                                <kbd key={chord} className="kbd">
                                  {describeChord(chord)}
                                </kbd>
                              ))
                            )}
                          </td>
                          <td className="row-actions">
                            <button
                              type="button"
                              className="button button-quiet"
                              aria-label={`Change the key for: ${action.description}`}
                              onClick={() => {
                                setCaptureError(null);
                                setCapturing(action.id);
                              }}
                            >
                              Change
                            </button>
                            {!isDefault ? (
                              <button
                                type="button"
                                className="button button-quiet"
                                aria-label={`Restore the default key for: ${action.description}`}
                                onClick={() =>
                                  setKeymap((current) => ({
                                    ...current,
                                    [action.id]: [...action.defaults],
                                  }))
                                }
                              >
                                Default
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
            </div>
          </section>
        ))}
        <div className="settings-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={conflicts.length > 0 || !changed || navigation.state !== "idle"}
            onClick={() => save(overridesFrom(keymap))}
          >
            Save shortcuts
          </button>
          <button
            type="button"
            className="button"
            disabled={navigation.state !== "idle"}
            onClick={() => save({})}
          >
            Reset all to defaults
          </button>
        </div>
      </div>
    </>
  );
}
