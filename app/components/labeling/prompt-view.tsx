import { forwardRef, type MutableRefObject } from "react";
import type { Prompt } from "~/domain/item.ts";
import { describeChord, type Keymap } from "~/domain/shortcuts.ts";
import { PreparedMarkdown } from "~/components/markdown/prepared-markdown.tsx";
import type { MarkdownHighlight } from "~/components/markdown/render.tsx";
import type { ResponseInfo } from "./fields.tsx";

function roleName(role: string): string {
  const names: Record<string, string> = {
    user: "User",
    human: "User",
    assistant: "Assistant",
    system: "System",
  };
  return names[role.toLowerCase()] ?? role;
}

export function PromptView({ prompt }: { prompt: Prompt }) {
  return (
    <section className="prompt card" aria-labelledby="prompt-heading">
      <h2 id="prompt-heading" className="section-label">
        Prompt
      </h2>
      {typeof prompt === "string" ? (
        <PreparedMarkdown source={prompt} />
      ) : (
        <ol className="conversation">
          {prompt.map((turn, index) => (
            <li key={index} className={`turn turn-${turn.role.toLowerCase()}`}>
              <p className="turn-role">{roleName(turn.role)}</p>
              <PreparedMarkdown source={turn.content} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export interface ReaderProps {
  response: ResponseInfo;
  highlights: ReadonlyArray<MarkdownHighlight>;
  readerKeyHint: string | null;
}

/**
 * One response, readable and selectable from the keyboard: with focus inside, the arrow keys
 * move a caret and Shift+arrows select, as the legend lists.
 */
export const ResponseReader = forwardRef<HTMLDivElement, ReaderProps>(function ResponseReader(
  { response, highlights, readerKeyHint },
  ref,
) {
  const headingId = `response-${response.id}-heading`;
  return (
    <section className="response card" aria-labelledby={headingId}>
      <div className="response-head">
        <h2 id={headingId} className="section-label">
          Response {response.letter}
        </h2>
        {readerKeyHint ? <kbd className="kbd">{readerKeyHint}</kbd> : null}
      </div>
      <PreparedMarkdown
        ref={ref}
        source={response.text}
        highlights={highlights}
        className="response-text"
        tabIndex={0}
        role="region"
        aria-label={`Response ${response.letter} text: select with Shift and the arrow keys, then press a category number`}
        data-reader={response.id}
      />
    </section>
  );
});

const noHighlights: MarkdownHighlight[] = [];

/**
 * The item's responses, side by side when there are two, each with the key that focuses it; the
 * readers' elements go to `readerRefs`, where the focus shortcuts find them. Shared by the
 * labeling page and the adjudication room.
 */
export function ResponseReaders({
  responses,
  highlightsByResponse,
  readerRefs,
  keymap,
}: {
  responses: ReadonlyArray<ResponseInfo>;
  highlightsByResponse: ReadonlyMap<string, ReadonlyArray<MarkdownHighlight>>;
  readerRefs: MutableRefObject<Array<HTMLDivElement | null>>;
  keymap: Keymap;
}) {
  const readerHint = (index: number) => {
    const chord = index < 2 ? keymap[`focusResponse${index + 1}`]?.[0] : undefined;
    return chord ? describeChord(chord) : null;
  };
  return (
    <div className={responses.length === 2 ? "responses responses-pair" : "responses"}>
      {responses.map((response, index) => (
        <ResponseReader
          key={response.id}
          ref={(element) => {
            readerRefs.current[index] = element;
          }}
          response={response}
          highlights={highlightsByResponse.get(response.id) ?? noHighlights}
          readerKeyHint={readerHint(index)}
        />
      ))}
    </div>
  );
}
