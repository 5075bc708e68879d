import type { AppLoadContext } from "@remix-run/node";
import type { Prompt } from "~/domain/item.ts";
import { addContentFormat, type ContentFormats } from "./content-formats.ts";

/** The fields of an item that pages show as markdown: the prompt or each turn, each response. */
export function itemContentSources(
  prompt: Prompt,
  responses: ReadonlyArray<{ text: string }>,
): string[] {
  const promptSources = typeof prompt === "string" ? [prompt] : prompt.map((turn) => turn.content);
  return [...promptSources, ...responses.map((response) => response.text)];
}

/**
 * Has the markdown workers format the fields a page shows, waiting a bounded time, and keeps
 * the HTML for this request's server rendering. Returns what the browser needs to show them
 * the same way: the format of each field (markdown, or plain text and why).
 */
export async function prepareContent(
  context: AppLoadContext,
  sources: Iterable<string>,
): Promise<ContentFormats> {
  const prepared = await context.quorum.markdown.prepare(sources);
  const formats: ContentFormats = {};
  for (const [source, content] of prepared) {
    context.preparedContent.set(source, content);
    addContentFormat(formats, source, content.format);
  }
  return formats;
}

/** prepareContent for an item's prompt and responses. */
export function prepareItemContent(
  context: AppLoadContext,
  item: { prompt: Prompt; responses: ReadonlyArray<{ text: string }> },
): Promise<ContentFormats> {
  return prepareContent(context, itemContentSources(item.prompt, item.responses));
}
