import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useId, useRef, useState, type FormEvent } from "react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { gunzipWithin, isGzip, UnpackedTooLargeError } from "~/utils/gunzip.ts";
import { loadImportPage } from "./import.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Import · ${data.navigation.name} · Quorum` : "Import · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadImportPage(request, context, params);
}

type Format = "json" | "jsonl" | "csv" | "label-studio" | "hh-rlhf";

const formats: Array<{ value: Format; label: string }> = [
  { value: "jsonl", label: "JSON Lines (one item per line)" },
  { value: "json", label: "JSON array of items" },
  { value: "csv", label: "CSV" },
  { value: "label-studio", label: "Label Studio JSON export" },
  { value: "hh-rlhf", label: "HH-RLHF (chosen/rejected transcripts)" },
];

/** The Content-Type that names a format; the other formats are named with ?format=. */
const mediaTypes: Partial<Record<Format, string>> = {
  json: "application/json",
  jsonl: "application/x-ndjson",
  csv: "text/csv",
};

function formatOfFile(name: string): Format | null {
  const lower = name.toLowerCase().replace(/\.gz$/, "");
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".csv")) return "csv";
  return null;
}

interface RowProblem {
  row: number;
  field: string;
  message: string;
}

type UploadState =
  | { phase: "idle" }
  | { phase: "unpacking" }
  | { phase: "uploading"; sent: number; total: number }
  | { phase: "processing" }
  | { phase: "done"; created: number; unchanged: number; annotations: number }
  | { phase: "failed"; status: number; message: string; rows: RowProblem[] };

function isRowProblemList(value: unknown): value is RowProblem[] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        typeof entry === "object" && entry !== null && "row" in entry && "message" in entry,
    )
  );
}

/** Reads the contract's error body; anything else (a proxy's page, say) gets a plain message. */
function failureOf(status: number, text: string): UploadState {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && "error" in body) {
      const error = (body as { error: { message?: unknown; details?: unknown } }).error;
      return {
        phase: "failed",
        status,
        message: typeof error.message === "string" ? error.message : `Error ${status}`,
        rows: isRowProblemList(error.details) ? error.details : [],
      };
    }
  } catch {
    // Not JSON: described below by its status.
  }
  return {
    phase: "failed",
    status,
    message:
      status === 0 ? "The upload did not reach the server." : `The server answered ${status}.`,
    rows: [],
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export default function ImportItems() {
  const { navigation, maxBytes, csvColumns, fieldIds } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>("jsonl");
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const resultRef = useRef<HTMLDivElement>(null);
  const fileHintId = useId();
  const busy =
    state.phase === "unpacking" || state.phase === "uploading" || state.phase === "processing";
  const base = `/projects/${navigation.id}`;

  function finish(next: UploadState) {
    setState(next);
    requestAnimationFrame(() => resultRef.current?.focus());
  }

  async function upload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file || busy) return;
    // A gzip file (.jsonl.gz, as `quorum import` reads) is unpacked here, within the limit.
    let body: Blob = file;
    if (await isGzip(file)) {
      setState({ phase: "unpacking" });
      try {
        body = await gunzipWithin(file, maxBytes);
      } catch (error) {
        finish({
          phase: "failed",
          status: error instanceof UnpackedTooLargeError ? 413 : 400,
          message:
            error instanceof UnpackedTooLargeError
              ? `${file.name} unpacks to more than the import limit of ${formatBytes(maxBytes)}.`
              : `${file.name} looks like a gzip file but could not be unpacked: it may be damaged or incomplete.`,
          rows: [],
        });
        return;
      }
    }
    if (body.size > maxBytes) {
      finish({
        phase: "failed",
        status: 413,
        message: `The file is ${formatBytes(body.size)}, over the import limit of ${formatBytes(maxBytes)}.`,
        rows: [],
      });
      return;
    }
    const mediaType = mediaTypes[format];
    const url = `/api/v1/projects/${navigation.id}/items${mediaType ? "" : `?format=${format}`}`;
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Content-Type", mediaType ?? "application/json");
    request.setRequestHeader("Accept", "application/json");
    request.upload.onprogress = (progress) => {
      setState({
        phase: "uploading",
        sent: progress.loaded,
        total: progress.lengthComputable ? progress.total : body.size,
      });
    };
    // Every byte is sent: the server now reads, validates and stores the items.
    request.upload.onload = () => setState({ phase: "processing" });
    request.onload = () => {
      if (request.status === 200 || request.status === 201) {
        const body = JSON.parse(request.responseText) as {
          created: number;
          unchanged: number;
          annotations: number;
        };
        finish({ phase: "done", ...body });
        revalidator.revalidate();
      } else {
        finish(failureOf(request.status, request.responseText));
      }
    };
    request.onerror = () => finish(failureOf(0, ""));
    setState({ phase: "uploading", sent: 0, total: body.size });
    request.send(body);
  }

  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Import items</h1>
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Upload a file</h2>
          <form className="stack project-form" onSubmit={(event) => void upload(event)} noValidate>
            <div className="field">
              <label htmlFor="import-file">File</label>
              <p id={fileHintId} className="field-hint">
                Up to {formatBytes(maxBytes)}, unpacked; gzip files (.jsonl.gz and the like) are
                unpacked in the browser. Importing is all or nothing: if any row is invalid, nothing
                is stored and every bad row is listed. Items already imported (same external id and
                content) are left unchanged.
              </p>
              <input
                id="import-file"
                type="file"
                name="file"
                accept=".json,.jsonl,.ndjson,.csv,.gz,application/json,text/csv,application/gzip"
                aria-describedby={fileHintId}
                disabled={busy}
                onChange={(event) => {
                  const chosen = event.currentTarget.files?.[0] ?? null;
                  setFile(chosen);
                  setState({ phase: "idle" });
                  const guessed = chosen ? formatOfFile(chosen.name) : null;
                  if (guessed && !(format === "label-studio" || format === "hh-rlhf")) {
                    setFormat(guessed);
                  }
                }}
              />
            </div>
            <div className="field">
              <label htmlFor="import-format">Format</label>
              <select
                id="import-format"
                value={format}
                disabled={busy}
                onChange={(event) => setFormat(event.currentTarget.value as Format)}
              >
                {formats.map((entry) => (
                  <option key={entry.value} value={entry.value}>
                    {entry.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={!file || busy}>
                {busy ? "Importing…" : "Upload and import"}
              </button>
            </div>
          </form>

          <UploadProgress state={state} />
          <div ref={resultRef} tabIndex={-1} className="import-result" aria-live="polite">
            {state.phase === "done" ? (
              <div className="callout callout-ok">
                <p className="callout-title">Import finished</p>
                <dl className="details import-summary">
                  <div>
                    <dt>New items</dt>
                    <dd>{state.created}</dd>
                  </div>
                  <div>
                    <dt>Already present, unchanged</dt>
                    <dd>{state.unchanged}</dd>
                  </div>
                  <div>
                    <dt>Imported labels</dt>
                    <dd>{state.annotations}</dd>
                  </div>
                </dl>
                <p>
                  <Link to={`${base}/items`}>See the items</Link>
                </p>
              </div>
            ) : null}
            {state.phase === "failed" ? (
              <div className="form-alert import-failure" role="alert">
                <p className="callout-title">Nothing was imported</p>
                <p>{state.message}</p>
                {state.rows.length > 0 ? (
                  <div className="table-wrap">
                    <table className="data-table" aria-label="Problems by row">
                      <thead>
                        <tr>
                          <th scope="col">Row</th>
                          <th scope="col">Field</th>
                          <th scope="col">Problem</th>
                        </tr>
                      </thead>
                      <tbody>
                        {state.rows.map((problem, index) => (
                          <tr key={index}>
                            <td>{problem.row}</td>
                            <td className="mono">{problem.field}</td>
                            <td>{problem.message}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                ) : null}
              </div>
            ) : null}
          </div>
        </section>

        <section className="card" aria-labelledby="formats-heading">
          <h2 id="formats-heading">Accepted formats</h2>
          <dl className="format-list">
            <dt>JSON Lines or JSON array</dt>
            <dd>
              One item per line (or an array of items):{" "}
              <code>
                {
                  '{"externalId": "q-1", "prompt": "…", "responses": [{"id": "a", "text": "…"}], "domain": "medical"}'
                }
              </code>
              . The prompt may be a conversation <code>[{'{"role", "content"}'}]</code>. Optional:{" "}
              <code>metadata</code>, <code>gold: {"{label}"}</code> and{" "}
              <code>annotations: [{"{annotator: email, label}"}]</code>; labels use this
              project&apos;s field ids ({fieldIds.join(", ")}).
            </dd>
            <dt>CSV</dt>
            <dd>
              A header row, then one item per row. Columns: <code>{csvColumns.externalId}</code>{" "}
              (required), <code>{csvColumns.prompt}</code> (text, or a JSON conversation),{" "}
              <code>{csvColumns.responsePrefix}&lt;id&gt;</code> for each response (for example{" "}
              <code>{csvColumns.responsePrefix}a</code>, <code>{csvColumns.responsePrefix}b</code>
              ), <code>{csvColumns.modelPrefix}&lt;id&gt;</code> for its model,{" "}
              <code>{csvColumns.domain}</code>, <code>{csvColumns.metadataPrefix}&lt;key&gt;</code>{" "}
              and <code>{csvColumns.gold}</code> (a JSON label).
            </dd>
            <dt>Label Studio</dt>
            <dd>
              A JSON export of tasks: the prompt from <code>data.prompt</code> (or question,
              instruction, messages), responses from <code>data.responses</code> or keys such as{" "}
              <code>answer1</code>, <code>response_a</code>; completed annotations come along as
              labels.
            </dd>
            <dt>HH-RLHF</dt>
            <dd>
              Anthropic&apos;s <code>{'{"chosen", "rejected"}'}</code> transcripts: the shared turns
              become a conversation prompt and the two last replies the responses.
            </dd>
          </dl>
        </section>
      </div>
    </>
  );
}

function UploadProgress({ state }: { state: UploadState }) {
  if (state.phase === "uploading") {
    const percent = state.total === 0 ? 0 : Math.round((state.sent / state.total) * 100);
    return (
      <div className="upload-progress">
        <label htmlFor="upload-progress-bar">
          Uploading… {percent}% ({formatBytes(state.sent)} of {formatBytes(state.total)})
        </label>
        <progress id="upload-progress-bar" max={100} value={percent} />
      </div>
    );
  }
  if (state.phase === "unpacking") {
    return (
      <div className="upload-progress" role="status">
        <label htmlFor="upload-progress-bar">Unpacking the gzip file…</label>
        <progress id="upload-progress-bar" />
      </div>
    );
  }
  if (state.phase === "processing") {
    return (
      <div className="upload-progress" role="status">
        <label htmlFor="upload-progress-bar">Uploaded. Checking and storing the items…</label>
        <progress id="upload-progress-bar" />
      </div>
    );
  }
  return null;
}
