import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  coversDomain,
  domainProblem,
  NAMED_DOMAINS,
  splitDomainEntries,
  SUGGESTED_LANGUAGE_DOMAINS,
  unreachableDomains,
} from "./annotator-domains.ts";

const domain = fc.constantFrom(...NAMED_DOMAINS, ...SUGGESTED_LANGUAGE_DOMAINS, "language:sw");
const separators = fc.constantFrom(",", " ", ", ", "\n", "\t", ",,");

describe("splitting what a domains field sent", () => {
  it("keeps every piece once, in first-seen order, with no separators or empty pieces", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.string({ maxLength: 12 }), separators), { maxLength: 5 }), {
          maxLength: 4,
        }),
        (entries) => {
          const texts = entries.map((pieces) => pieces.map(([piece, sep]) => piece + sep).join(""));
          const split = splitDomainEntries(texts);
          const expected: string[] = [];
          for (const text of texts) {
            for (const piece of text.split(/[\s,]+/)) {
              if (piece !== "" && !expected.includes(piece)) expected.push(piece);
            }
          }
          expect(split).toEqual(expected);
          expect(new Set(split).size).toBe(split.length);
          for (const piece of split) expect(piece).not.toMatch(/^$|[\s,]/);
          expect(splitDomainEntries([split.join(", ")])).toEqual(split);
        },
      ),
    );
  });

  it("accepts every suggested domain and refuses what the queue could never match", () => {
    for (const suggestion of [...NAMED_DOMAINS, ...SUGGESTED_LANGUAGE_DOMAINS]) {
      expect(domainProblem(suggestion)).toBeNull();
    }
    for (const wrong of ["Medical", "astrology", "language:", "language:x", "language:de_DE"]) {
      expect(domainProblem(wrong)).toMatch(/is not a domain/);
    }
  });
});

describe("an annotator who can never be given a project's items", () => {
  it("is warned about exactly when no item is open to them, naming the items' domains", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(domain, { maxLength: 4 }),
        fc.array(fc.option(domain, { nil: null }), { maxLength: 8 }),
        (annotatorDomains, itemDomains) => {
          const missing = unreachableDomains(annotatorDomains, itemDomains);
          const someOpen = itemDomains.some(
            (itemDomain) => itemDomain === null || annotatorDomains.includes(itemDomain),
          );
          if (itemDomains.length === 0 || someOpen) {
            expect(missing).toBeNull();
            return;
          }
          expect(missing).toEqual([...new Set(itemDomains)].sort());
          for (const itemDomain of missing!) expect(annotatorDomains).not.toContain(itemDomain);
        },
      ),
    );
  });

  it("is never warned about items without a domain, which go to anyone", () => {
    fc.assert(
      fc.property(fc.uniqueArray(domain, { maxLength: 4 }), (annotatorDomains) => {
        expect(coversDomain(annotatorDomains, null)).toBe(true);
        expect(unreachableDomains(annotatorDomains, [null, "legal"])).toBeNull();
      }),
    );
  });
});
