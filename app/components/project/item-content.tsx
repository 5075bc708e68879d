import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import type { ContentFormats } from "~/components/markdown/content-formats.ts";
import { PreparedMarkdown } from "~/components/markdown/prepared-markdown.tsx";
import type { ItemResponse, Prompt } from "~/domain/item.ts";
import { responseName } from "./response-name.ts";

/**
 * Pages that show item content link these stylesheets: the markdown rules live with the
 * labeling page's, and math needs KaTeX's.
 */
export { default as katexStylesUrl } from "katex/dist/katex.min.css?url";
export { default as markdownStylesUrl } from "~/styles/labeling.css?url";

/** An item's prompt: a question, or a conversation turn by turn. */
export function ItemPrompt({ prompt }: { prompt: Prompt }) {
  return (
    <section className="item-prompt" aria-label="Prompt">
      <h3>Prompt</h3>
      {typeof prompt === "string" ? (
        <PreparedMarkdown source={prompt} />
      ) : (
        <ol className="item-conversation">
          {prompt.map((turn, index) => (
            <li key={index} className="item-conversation-turn">
              <span className="item-conversation-role">{turn.role}</span>
              <PreparedMarkdown source={turn.content} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** "Response A (r1, model)": the heading of the response at `index`. */
export function ResponseHeading({ response, index }: { response: ItemResponse; index: number }) {
  return (
    <h3>
      Response {responseName(index)}{" "}
      <span className="muted small">
        ({response.id}
        {response.model ? `, ${response.model}` : ""})
      </span>
    </h3>
  );
}

/**
 * An item's prompt (a question or a conversation) and its responses, side by side, formatted as
 * the page's loader prepared them (prepareItemContent).
 */
export function ItemContent({
  prompt,
  responses,
  formats,
}: {
  prompt: Prompt;
  responses: ItemResponse[];
  formats: ContentFormats;
}) {
  return (
    <ContentFormatsProvider formats={formats}>
      <div className="item-content">
        <ItemPrompt prompt={prompt} />
        <div className={responses.length > 1 ? "item-responses side-by-side" : "item-responses"}>
          {responses.map((response, index) => (
            <section
              key={response.id}
              className="item-response"
              aria-label={`Response ${responseName(index)}`}
            >
              <ResponseHeading response={response} index={index} />
              <PreparedMarkdown source={response.text} />
            </section>
          ))}
        </div>
      </div>
    </ContentFormatsProvider>
  );
}
