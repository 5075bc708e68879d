const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/**
 * Server and browser may sit in different time zones; formatting in UTC keeps the hydrated page
 * identical to the one the server rendered.
 */
export function formatDateTime(iso: string): string {
  return `${dateTimeFormat.format(new Date(iso))} UTC`;
}

const statusLabels: Record<string, string> = {
  queued: "Queued",
  annotating: "Annotating",
  consensus: "Consensus",
  disputed: "Disputed",
  adjudicating: "Adjudicating",
  published: "Published",
};

export const itemStatusOrder = Object.keys(statusLabels);

export function itemStatusLabel(status: string): string {
  return statusLabels[status] ?? status;
}
