/**
 * Where rendered text came from in the raw markdown. Spans are stored as offsets into the raw
 * response text, yet annotators select rendered text, where `**`, backslash escapes, entity
 * references and list indentation are gone. Every rendered text run therefore carries the
 * source range it shows, and these functions map between the two.
 *
 * A segment is *linear* when its text is a verbatim copy of its source range, so the n-th
 * rendered character is the n-th source character. Otherwise it is *atomic* (an entity
 * reference, a formula, an image): it can only be selected whole.
 */
export interface TextSegment {
  valueStart: number;
  valueEnd: number;
  sourceStart: number;
  sourceEnd: number;
  atomic: boolean;
}

const characterReference = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/;

function decodedLength(reference: string, value: string, at: number): number {
  const numeric = /^&#([xX])?([0-9a-fA-F]+);$/.exec(reference);
  if (numeric) {
    const codePoint = parseInt(numeric[2], numeric[1] ? 16 : 10);
    const valid =
      codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);
    return valid ? String.fromCodePoint(codePoint).length : 1;
  }
  // Named references decode to one character almost always; take the code point that is there.
  const codePoint = value.codePointAt(at) ?? 0;
  return codePoint > 0xffff ? 2 : 1;
}

/**
 * Aligns a node's text `value` with its source `source[from, to)`. Characters markdown dropped
 * (escape backslashes, indentation of continuation lines, `>` of block quotes) are skipped;
 * character references become atomic segments. Should the two ever fail to align, the rest of
 * the value becomes one atomic segment covering the rest of the node, which stays selectable
 * as a whole rather than pointing at the wrong characters.
 */
export function alignValue(value: string, source: string, from: number, to: number): TextSegment[] {
  const segments: TextSegment[] = [];
  let valueIndex = 0;
  let sourceIndex = from;
  const pushLinear = () => {
    const last = segments[segments.length - 1];
    if (last && !last.atomic && last.valueEnd === valueIndex && last.sourceEnd === sourceIndex) {
      last.valueEnd++;
      last.sourceEnd++;
    } else {
      segments.push({
        valueStart: valueIndex,
        valueEnd: valueIndex + 1,
        sourceStart: sourceIndex,
        sourceEnd: sourceIndex + 1,
        atomic: false,
      });
    }
  };
  while (valueIndex < value.length) {
    if (sourceIndex >= to) {
      const last = segments[segments.length - 1];
      segments.push({
        valueStart: valueIndex,
        valueEnd: value.length,
        sourceStart: last ? last.sourceEnd : from,
        sourceEnd: to,
        atomic: true,
      });
      break;
    }
    const sourceCharacter = source[sourceIndex];
    const valueCharacter = value[valueIndex];
    if (sourceCharacter === "&") {
      const reference = characterReference.exec(
        source.slice(sourceIndex, Math.min(to, sourceIndex + 40)),
      );
      const isReference =
        reference !== null && (valueCharacter !== "&" || reference[0] === "&amp;");
      if (isReference) {
        const length = Math.min(
          decodedLength(reference[0], value, valueIndex),
          value.length - valueIndex,
        );
        segments.push({
          valueStart: valueIndex,
          valueEnd: valueIndex + length,
          sourceStart: sourceIndex,
          sourceEnd: sourceIndex + reference[0].length,
          atomic: true,
        });
        valueIndex += length;
        sourceIndex += reference[0].length;
        continue;
      }
    }
    if (sourceCharacter === valueCharacter) {
      pushLinear();
      valueIndex++;
      sourceIndex++;
    } else {
      sourceIndex++;
    }
  }
  return segments;
}

/** A piece of rendered text together with the source range it shows. */
export interface TextPiece {
  text: string;
  sourceStart: number;
  sourceEnd: number;
  atomic: boolean;
}

/** The pieces that render `value[from, to)`, cut where the segments are cut. */
export function piecesOf(
  value: string,
  segments: ReadonlyArray<TextSegment>,
  from = 0,
  to = value.length,
): TextPiece[] {
  const pieces: TextPiece[] = [];
  for (const segment of segments) {
    const start = Math.max(from, segment.valueStart);
    const end = Math.min(to, segment.valueEnd);
    if (start >= end) continue;
    const text = value.slice(start, end);
    if (segment.atomic) {
      pieces.push({
        text,
        sourceStart: segment.sourceStart,
        sourceEnd: segment.sourceEnd,
        atomic: true,
      });
    } else {
      const shift = segment.sourceStart - segment.valueStart;
      pieces.push({ text, sourceStart: start + shift, sourceEnd: end + shift, atomic: false });
    }
  }
  return pieces;
}

export interface SourceHighlight {
  start: number;
  end: number;
}

export interface HighlightedPiece extends TextPiece {
  /** Indexes into the highlight list of the highlights covering this piece. */
  highlights: number[];
}

/**
 * Cuts a piece where highlights begin and end, so that an existing span can be shown over the
 * rendered text exactly where its offsets fall. An atomic piece is highlighted whole.
 */
export function splitAtHighlights(
  piece: TextPiece,
  highlights: ReadonlyArray<SourceHighlight>,
): HighlightedPiece[] {
  const covering = (start: number, end: number) =>
    highlights.flatMap((highlight, index) =>
      highlight.start < end && highlight.end > start ? [index] : [],
    );
  if (piece.atomic) return [{ ...piece, highlights: covering(piece.sourceStart, piece.sourceEnd) }];
  const cuts = new Set([piece.sourceStart, piece.sourceEnd]);
  for (const highlight of highlights) {
    for (const offset of [highlight.start, highlight.end]) {
      if (offset > piece.sourceStart && offset < piece.sourceEnd) cuts.add(offset);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.slice(0, -1).map((start, index) => {
    const end = sorted[index + 1];
    return {
      text: piece.text.slice(start - piece.sourceStart, end - piece.sourceStart),
      sourceStart: start,
      sourceEnd: end,
      atomic: false,
      highlights: covering(start, end),
    };
  });
}

/** What a rendered run element tells about itself through its data attributes and text. */
export interface SourceRun {
  sourceStart: number;
  sourceEnd: number;
  atomic: boolean;
  textLength: number;
}

/**
 * The source offset of a point `offset` characters into a run's text. A point strictly inside
 * an atomic run snaps outwards (a selection's start to the run's start, its end to the run's
 * end), so the whole atom is taken rather than a made-up position inside it.
 */
export function sourceOffsetInRun(run: SourceRun, offset: number, edge: "start" | "end"): number {
  if (run.atomic) {
    if (offset <= 0) return run.sourceStart;
    if (offset >= run.textLength) return run.sourceEnd;
    return edge === "start" ? run.sourceStart : run.sourceEnd;
  }
  return Math.min(run.sourceEnd, run.sourceStart + Math.max(0, offset));
}
