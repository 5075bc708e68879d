import { useState, type FormEvent } from "react";
import { chatRoles, ITEMS_WITH_OTHER_ROLES_HEADER, type ExportFormat } from "~/domain/export.ts";

const exportFormatNames: Record<ExportFormat, string> = {
  jsonl: "Full records (JSONL)",
  dpo: "Preference pairs for DPO",
  reward: "Preference pairs with margins, for reward models",
  kto: "Desirable / undesirable responses for KTO",
  "openai-dpo": "Preference pairs for OpenAI fine-tuning",
  csv: "Spreadsheet (CSV)",
  "label-studio": "Label Studio tasks with annotations (JSON)",
};

type Outcome =
  | { kind: "idle" }
  | { kind: "busy" }
  | { kind: "done"; message: string }
  | { kind: "refused"; message: string };

/** The message of an API error body, `{ error: { message } }`, if it has one. */
async function errorMessageOf(response: Response): Promise<string | null> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } } | null;
    return typeof body?.error?.message === "string" ? body.error.message : null;
  } catch {
    return null;
  }
}

/** Why an export was refused, in words, with what to do about it. */
async function refusalOf(response: Response): Promise<string> {
  const message = await errorMessageOf(response);
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After"));
    const wait = Number.isFinite(seconds) && seconds > 0 ? ` Try again in ${seconds} s.` : "";
    return `Too many of your exports are running at once. ${message ?? "Wait for one to finish."}${wait}`;
  }
  return `The export was refused: ${message ?? `the server answered ${response.status}`}.`;
}

/** The file name of an attachment, from its `Content-Disposition` header. */
function attachmentName(response: Response, fallback: string): string {
  const disposition = response.headers.get("Content-Disposition") ?? "";
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
}

/** What the download left out, said so that the reader knows where to find it. */
function leftOutNote(response: Response, format: string): string {
  const leftOut = Number(response.headers.get(ITEMS_WITH_OTHER_ROLES_HEADER) ?? 0);
  if (!(leftOut > 0)) return "";
  const items = leftOut === 1 ? "1 item was" : `${leftOut} items were`;
  return (
    ` ${items} left out: ${leftOut === 1 ? "its conversation has" : "their conversations have"}` +
    ` roles other than ${chatRoles.join(", ")}, which ${format} does not take` +
    " (Full records, the spreadsheet and Label Studio keep them)."
  );
}

/**
 * The overview's export. Without scripts it is a plain form, and the browser downloads the
 * attachment. With them, the page fetches the export itself, so that it can say what the
 * download left out (the `Quorum-Items-With-Other-Roles` header) and, in words, why the server
 * refused one (a 429 when too many of the person's exports are running), instead of leaving the
 * browser on a JSON error or saying nothing.
 */
export function ExportForm({
  projectId,
  formats,
}: {
  projectId: number;
  formats: ReadonlyArray<ExportFormat>;
}) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const action = `/api/v1/projects/${projectId}/export`;

  async function download(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (outcome.kind === "busy") return;
    const format = String(new FormData(event.currentTarget).get("format") ?? "jsonl");
    setOutcome({ kind: "busy" });
    try {
      const response = await fetch(`${action}?${new URLSearchParams({ format })}`, {
        credentials: "same-origin",
      });
      if (!response.ok) {
        setOutcome({ kind: "refused", message: await refusalOf(response) });
        return;
      }
      const fileName = attachmentName(response, `export-${format}`);
      const note = leftOutNote(response, format);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      // The browser has taken the file once the click's task is done.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      setOutcome({ kind: "done", message: `Downloaded ${fileName}.${note}` });
    } catch {
      setOutcome({
        kind: "refused",
        message: "The export could not be downloaded: the server could not be reached.",
      });
    }
  }

  return (
    <>
      <form method="get" action={action} onSubmit={download}>
        <label>
          Format{" "}
          <select name="format" defaultValue="jsonl">
            {formats.map((format) => (
              <option key={format} value={format}>
                {exportFormatNames[format]}
              </option>
            ))}
          </select>
        </label>{" "}
        <button type="submit" className="button" disabled={outcome.kind === "busy"}>
          {outcome.kind === "busy" ? "Preparing the export…" : "Download"}
        </button>
      </form>
      <p role="status" className="muted">
        {outcome.kind === "done" ? outcome.message : ""}
      </p>
      <div role="alert">
        {outcome.kind === "refused" ? <p className="form-alert">{outcome.message}</p> : null}
      </div>
    </>
  );
}
