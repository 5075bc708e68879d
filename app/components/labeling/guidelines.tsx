import type { ReactNode } from "react";
import { PreparedMarkdown } from "~/components/markdown/prepared-markdown.tsx";
import type { Keymap } from "~/domain/shortcuts.ts";
import { Kbd } from "./fields.tsx";

export interface GuidelinesText {
  version: number;
  body: string;
}

/**
 * The project's guidelines beside the item. They are markdown written by a lead, shown the way
 * item content is (formatted by the server's markdown workers, sanitised), so a long manual
 * never holds up the page.
 */
export function GuidelinesPanel({
  id,
  guidelines,
  onClose,
}: {
  id: string;
  guidelines: GuidelinesText;
  onClose: () => void;
}) {
  return (
    <section id={id} className="guidelines-panel card" aria-labelledby={`${id}-heading`}>
      <div className="guidelines-head">
        <h2 id={`${id}-heading`} className="section-label">
          Guidelines <span className="muted small">version {guidelines.version}</span>
        </h2>
        <button type="button" className="button button-quiet" onClick={onClose}>
          Hide
        </button>
      </div>
      <PreparedMarkdown source={guidelines.body} className="guidelines-body" />
    </section>
  );
}

/** The guidelines as a page of their own, before an annotator's first item in a project. */
export function GuidelinesIntro({
  guidelines,
  projectName,
  keymap,
  children,
}: {
  guidelines: GuidelinesText;
  projectName: string;
  keymap: Keymap;
  /** What takes the annotator on to their first item. */
  children: ReactNode;
}) {
  return (
    <section className="card guidelines-intro stack" aria-labelledby="guidelines-intro-heading">
      <p className="muted small">{projectName}</p>
      <h1 id="guidelines-intro-heading">Before your first item: the guidelines</h1>
      <p className="muted small">
        Version {guidelines.version}. They stay at hand while you label: the Guidelines button, or{" "}
        <Kbd keymap={keymap} action="toggleGuidelines" />.
      </p>
      <PreparedMarkdown source={guidelines.body} className="guidelines-body" />
      {children}
    </section>
  );
}

/** The guidelines folded away beside the adjudication room, one click from the discussion. */
export function GuidelinesDisclosure({ guidelines }: { guidelines: GuidelinesText }) {
  return (
    <details className="guidelines-panel card">
      <summary>
        Guidelines <span className="muted small">version {guidelines.version}</span>
      </summary>
      <PreparedMarkdown source={guidelines.body} className="guidelines-body" />
    </details>
  );
}
