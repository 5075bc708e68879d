import { useId } from "react";
import type { FieldAgreement } from "~/domain/disputes.ts";
import type { PositionTally, Votes } from "~/domain/room.ts";
import {
  ownEntry,
  type LabelValue,
  type SpanAnnotation,
  type Template,
  type TemplateField,
} from "~/domain/template.ts";
import type { ResponseInfo } from "~/components/labeling/fields.tsx";
import { memberName, type MemberNames, type RoomViewer } from "./room-types.ts";

/** Fields whose votes are positions to compare; free text is shown per member below. */
const comparable = new Set(["rating", "preference", "ranking", "choice", "spans"]);

export function describeValue(
  field: TemplateField,
  value: LabelValue | undefined,
  responses: ReadonlyArray<ResponseInfo>,
): string {
  if (value === undefined) return "—";
  switch (field.type) {
    case "rating":
      return String(value);
    case "preference": {
      const number = Number(value);
      if (number === 0) return "Tie";
      const [better, worse] = number < 0 ? ["A", "B"] : ["B", "A"];
      return `${better} ${Math.abs(number) >= 2 ? "≫" : ">"} ${worse}`;
    }
    case "ranking": {
      const letters = new Map(responses.map((response) => [response.id, response.letter]));
      return Array.isArray(value)
        ? (value as string[]).map((id) => letters.get(id) ?? id).join(" › ")
        : String(value);
    }
    case "choice":
      return Array.isArray(value) ? (value as string[]).join(", ") || "None" : String(value);
    case "spans": {
      const spans = Array.isArray(value) ? (value as SpanAnnotation[]) : [];
      return spans.length === 1 ? "1 span" : `${spans.length} spans`;
    }
    case "text":
    case "rewrite":
      return String(value);
  }
}

function preferenceOptions(scale: 1 | 2): number[] {
  return scale === 2 ? [-2, -1, 0, 1, 2] : [-1, 0, 1];
}

interface VoteBoardProps {
  template: Template;
  votes: Votes;
  disagreements: ReadonlyArray<FieldAgreement>;
  tallies: Record<string, PositionTally[]>;
  members: MemberNames;
  viewer: RoomViewer;
  responses: ReadonlyArray<ResponseInfo>;
  draft: Record<string, unknown>;
  /** Whether the viewer may move their own vote now. */
  mayVote: boolean;
  /** Whether the viewer may copy a vote's span into the draft now. */
  mayEditDraft: boolean;
  onVote: (fieldId: string, value: LabelValue | undefined) => void;
  onAdoptSpan: (fieldId: string, span: SpanAnnotation) => void;
}

/**
 * Each member's position field by field, side by side, with the fields on which the positions
 * still disagree (by the project's dispute policy) marked, and how many hold each position.
 * The viewer's own column has controls to move their vote.
 */
export function VoteBoard({
  template,
  votes,
  disagreements,
  tallies,
  members,
  viewer,
  responses,
  draft,
  mayVote,
  mayEditDraft,
  onVote,
  onAdoptSpan,
}: VoteBoardProps) {
  const headingId = useId();
  const voters = Object.keys(votes);
  const own = viewer.memberId;
  if (mayVote && own !== null && !voters.includes(own)) voters.push(own);
  const byField = new Map(disagreements.map((entry) => [entry.fieldId, entry]));
  const fields = template.fields.filter((field) => comparable.has(field.type));
  const texts = template.fields.filter((field) => !comparable.has(field.type));

  return (
    <section className="votes card" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-label">
        Independent labels and votes
      </h2>
      {voters.length === 0 ? (
        <p className="empty-inline small">No votes in this room.</p>
      ) : (
        <div className="table-wrap">
          <table className="vote-table">
            <thead>
              <tr>
                <th scope="col">Field</th>
                {voters.map((voter) => (
                  <th
                    key={voter}
                    scope="col"
                    className={voter === viewer.memberId ? "vote-own" : undefined}
                  >
                    {voter === viewer.memberId ? "You" : memberName(members, voter, viewer)}
                  </th>
                ))}
                <th scope="col">Tally</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((field) => {
                const agreement = byField.get(field.id);
                const disputed = agreement?.disputed ?? false;
                return (
                  <tr
                    key={field.id}
                    className={disputed ? "vote-row vote-row-disputed" : "vote-row"}
                    data-vote-field={field.id}
                  >
                    <th scope="row">
                      <span className="vote-field-name">{field.label}</span>
                      {disputed ? (
                        <span className="badge badge-dispute" title={agreement?.reason}>
                          In dispute
                        </span>
                      ) : voters.length > 1 ? (
                        <span className="badge badge-ok" title={agreement?.reason}>
                          Agreed
                        </span>
                      ) : null}
                    </th>
                    {voters.map((voter) => (
                      <td
                        key={voter}
                        className={voter === viewer.memberId ? "vote-own" : undefined}
                        data-voter={voter}
                      >
                        {voter === viewer.memberId && mayVote ? (
                          <OwnVote
                            field={field}
                            value={ownEntry(votes[voter] ?? {}, field.id)}
                            draftValue={ownEntry(draft, field.id) as LabelValue | undefined}
                            responses={responses}
                            onVote={onVote}
                          />
                        ) : (
                          <VoteValue
                            field={field}
                            value={ownEntry(votes[voter] ?? {}, field.id)}
                            responses={responses}
                            draftValue={ownEntry(draft, field.id) as LabelValue | undefined}
                            onAdoptSpan={mayEditDraft ? onAdoptSpan : undefined}
                          />
                        )}
                      </td>
                    ))}
                    <td className="vote-tally">
                      {(tallies[field.id] ?? []).map((tally, index) => (
                        <span
                          key={index}
                          className="tally"
                          title={tally.members
                            .map((id) => memberName(members, id, viewer))
                            .join(", ")}
                        >
                          {describeValue(field, tally.value, responses)}{" "}
                          <span className="tally-count">×{tally.members.length}</span>
                        </span>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {texts.map((field) => {
        const written = voters.filter((voter) => {
          const value = ownEntry(votes[voter] ?? {}, field.id);
          return typeof value === "string" && value.trim() !== "";
        });
        if (written.length === 0) return null;
        return (
          <details key={field.id} className="vote-texts">
            <summary>
              {field.label}: {written.length === 1 ? "1 member wrote" : `${written.length} wrote`}
            </summary>
            {written.map((voter) => (
              <blockquote key={voter} className="vote-text" dir="auto">
                <p className="comment-meta">
                  <strong>{memberName(members, voter, viewer)}</strong>
                </p>
                <p className="plain-text">{String(ownEntry(votes[voter] ?? {}, field.id))}</p>
              </blockquote>
            ))}
          </details>
        );
      })}
    </section>
  );
}

/**
 * Whether two spans mark the same thing (response, offsets and category); the draft holds
 * such a span once, whatever its severity or note.
 */
export function sameSpanMark(a: SpanAnnotation, b: SpanAnnotation): boolean {
  return (
    a.responseId === b.responseId &&
    a.start === b.start &&
    a.end === b.end &&
    a.category === b.category
  );
}

function VoteValue({
  field,
  value,
  responses,
  draftValue,
  onAdoptSpan,
}: {
  field: TemplateField;
  value: LabelValue | undefined;
  responses: ReadonlyArray<ResponseInfo>;
  /** The draft's value of the field, to tell which of the vote's spans it already holds. */
  draftValue?: LabelValue;
  /** Offered when the viewer may copy a member's span into the draft. */
  onAdoptSpan?: (fieldId: string, span: SpanAnnotation) => void;
}) {
  const text = describeValue(field, value, responses);
  if (field.type !== "spans" || !Array.isArray(value) || value.length === 0) {
    return <span className="vote-value">{text}</span>;
  }
  const spans = value as SpanAnnotation[];
  const draftSpans = Array.isArray(draftValue) ? (draftValue as SpanAnnotation[]) : [];
  const letters = new Map(responses.map((response) => [response.id, response]));
  return (
    <details className="vote-spans">
      <summary>{text}</summary>
      <ul>
        {spans.map((span, index) => {
          const response = letters.get(span.responseId);
          return (
            <li key={index}>
              <span className="badge">{span.category}</span>{" "}
              <span className={`badge severity-${span.severity}`}>{span.severity}</span>{" "}
              <q dir="auto">{response?.text.slice(span.start, span.end) ?? ""}</q>{" "}
              <span className="muted small">({response?.letter ?? span.responseId})</span>
              {onAdoptSpan ? (
                draftSpans.some((drafted) => sameSpanMark(drafted, span)) ? (
                  <button type="button" className="button button-quiet button-small" disabled>
                    In the draft
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button button-quiet button-small"
                    onClick={() => onAdoptSpan(field.id, span)}
                  >
                    Add to draft
                  </button>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

function OwnVote({
  field,
  value,
  draftValue,
  responses,
  onVote,
}: {
  field: TemplateField;
  value: LabelValue | undefined;
  draftValue: LabelValue | undefined;
  responses: ReadonlyArray<ResponseInfo>;
  onVote: (fieldId: string, value: LabelValue | undefined) => void;
}) {
  const label = `Your vote on ${field.label}`;
  const choose = (raw: string, parse: (raw: string) => LabelValue) =>
    onVote(field.id, raw === "" ? undefined : parse(raw));
  if (field.type === "rating" || field.type === "preference") {
    const options =
      field.type === "rating"
        ? Array.from({ length: field.max - field.min + 1 }, (_, index) => field.min + index)
        : preferenceOptions(field.scale);
    return (
      <select
        className="vote-select"
        aria-label={label}
        value={typeof value === "number" ? String(value) : ""}
        onChange={(event) => choose(event.target.value, Number)}
      >
        <option value="">—</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {describeValue(field, option, responses)}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === "choice" && !field.multiple) {
    return (
      <select
        className="vote-select"
        aria-label={label}
        value={typeof value === "string" ? value : ""}
        onChange={(event) => choose(event.target.value, String)}
      >
        <option value="">—</option>
        {field.options.map((option) => (
          <option key={option}>{option}</option>
        ))}
      </select>
    );
  }
  return (
    <span className="vote-own-other">
      <VoteValue field={field} value={value} responses={responses} />
      {draftValue !== undefined ? (
        <button
          type="button"
          className="button button-quiet button-small"
          aria-label={`${label}: take the draft's`}
          onClick={() => onVote(field.id, draftValue)}
        >
          Take draft’s
        </button>
      ) : null}
    </span>
  );
}
