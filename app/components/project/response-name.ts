/**
 * A, B, C …: how responses are named to annotators, in the order the item lists them. Kept apart
 * from item-content.tsx so that pages which only name responses, such as the history, do not
 * load the markdown renderer with it.
 */
export function responseName(index: number): string {
  return String.fromCharCode(65 + (index % 26));
}
