/**
 * Annotators' expertise areas as people enter them, and whether an annotator can ever be routed
 * a project's items. Pure: shared by the pages that edit people and the services behind them.
 */

import { domainSchema } from "./item.ts";

/** Why `text` is not a domain, for the person who typed it; null when it is one. */
export function domainProblem(text: string): string | null {
  return domainSchema.safeParse(text).success
    ? null
    : `“${text}” is not a domain: use medical, legal, code, science, finance, general or language:<code>`;
}

/** The domains with a name of their own; any `language:<bcp47>` is a domain too. */
export const NAMED_DOMAINS = ["medical", "legal", "code", "science", "finance", "general"] as const;

/** Language domains offered as suggestions; any other BCP 47 tag may be typed. */
export const SUGGESTED_LANGUAGE_DOMAINS = [
  "language:ar",
  "language:de",
  "language:es",
  "language:fr",
  "language:hi",
  "language:ja",
  "language:pt-BR",
  "language:zh",
] as const;

/**
 * The domains in what a form sent: each entry may hold several, separated by commas or white
 * space (a browser without scripts sends the tag input's text as it was typed). Empty pieces
 * are dropped and repeats kept once, in first-seen order.
 */
export function splitDomainEntries(entries: readonly string[]): string[] {
  const domains: string[] = [];
  for (const entry of entries) {
    for (const piece of entry.split(/[\s,]+/)) {
      if (piece.length > 0 && !domains.includes(piece)) domains.push(piece);
    }
  }
  return domains;
}

/**
 * Whether an annotator with these domains may be given an item whose domain is `itemDomain`
 * (the item's own, else its project's). An item without a domain goes to anyone. The queue's
 * SQL filter (server/services/queue.ts, `domainFilter`) applies the same rule.
 */
export function coversDomain(annotatorDomains: readonly string[], itemDomain: string | null) {
  return itemDomain === null || annotatorDomains.includes(itemDomain);
}

/**
 * The domains of a project's items (each item's own, else the project's) when an annotator with
 * `annotatorDomains` could be given none of those items, sorted; null when some item is open to
 * them, or there are no items. The members page warns with it.
 */
export function unreachableDomains(
  annotatorDomains: readonly string[],
  itemDomains: ReadonlyArray<string | null>,
): string[] | null {
  if (itemDomains.length === 0) return null;
  if (itemDomains.some((domain) => coversDomain(annotatorDomains, domain))) return null;
  return [...new Set(itemDomains as string[])].sort();
}
