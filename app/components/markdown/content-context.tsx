import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { ContentFormats, PreparedContent } from "./content-formats.ts";

const ContentFormatsContext = createContext<ContentFormats>({});

/** Gives the fields below the formats the page's loader returned. */
export function ContentFormatsProvider({
  formats,
  children,
}: {
  formats: ContentFormats;
  children: ReactNode;
}) {
  return (
    <ContentFormatsContext.Provider value={formats}>{children}</ContentFormatsContext.Provider>
  );
}

export function useContentFormats(): ContentFormats {
  return useContext(ContentFormatsContext);
}

/**
 * The server's formatted fields for the request it is rendering, by their text; provided only
 * during server rendering (app/entry.server.tsx), so that the server never parses markdown on
 * the thread that renders pages.
 */
export const PreparedContentContext = createContext<ReadonlyMap<string, PreparedContent> | null>(
  null,
);

const subscribeToNothing = () => () => {};

/**
 * True while React renders the server's markup: on the server, and in the browser while it
 * hydrates the server's HTML; false in the browser afterwards.
 */
export function useServerMarkup(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => false,
    () => true,
  );
}
