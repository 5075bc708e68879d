import { itemStatusLabel } from "~/utils/format.ts";

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-badge status-${status}`}>{itemStatusLabel(status)}</span>;
}

const verdictLabels: Record<string, string> = {
  pending: "Pending review",
  accepted: "Accepted",
  corrected: "Corrected",
  rejected: "Rejected",
};

export function VerdictBadge({ verdict }: { verdict: string }) {
  return (
    <span className={`badge verdict-badge verdict-${verdict}`}>
      {verdictLabels[verdict] ?? verdict}
    </span>
  );
}
