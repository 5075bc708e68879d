import type { ReactNode } from "react";

/**
 * A wide table's frame, which scrolls sideways on narrow screens. Keyboard users must be able to
 * scroll it too, so it is focusable, and named (after its table) so that a screen reader says
 * what has the focus.
 */
export function TableScroller({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
