import { useFetcher } from "@remix-run/react";
import { useEffect } from "react";
import type { FieldSuggestion } from "../../../server/services/room-suggestions.ts";
import type { ResponseInfo } from "~/components/labeling/fields.tsx";
import { TableScroller } from "~/components/table-scroller.tsx";
import type { Template, TemplateField } from "~/domain/template.ts";
import { describeValue } from "./vote-board.tsx";

function describeAnswer(
  field: TemplateField,
  value: string | number,
  responses: ReadonlyArray<ResponseInfo>,
): string {
  if (field.type !== "preference" || typeof value !== "number") {
    return describeValue(field, value, responses);
  }
  return value === 0 ? "Tie" : value < 0 ? "A is better" : "B is better";
}

/**
 * Beside the panel's own votes, what the independent labels suggest for each single-choice and
 * preference field: the plain majority, and Dawid–Skene's answer, which trusts each annotator as
 * far as their labels across the project have earned. Loaded after the room, since the model is
 * fitted on the whole project.
 */
export function Suggestions({
  itemId,
  template,
  responses,
}: {
  itemId: number;
  template: Template;
  responses: ReadonlyArray<ResponseInfo>;
}) {
  const fetcher = useFetcher<{ suggestions?: FieldSuggestion[] }>();
  const { load } = fetcher;
  useEffect(() => {
    load(`/items/${itemId}/suggestions`);
  }, [load, itemId]);
  const suggestions = fetcher.data?.suggestions?.filter((entry) => entry.votes > 0) ?? [];
  if (suggestions.length === 0) return null;
  return (
    <section className="card suggestions" aria-labelledby="suggestions-heading">
      <h2 id="suggestions-heading" className="section-label">
        Suggested by the independent labels
      </h2>
      <TableScroller label="Suggestions">
        <table data-testid="suggestions">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Majority</th>
              <th scope="col">Dawid–Skene</th>
            </tr>
          </thead>
          <tbody>
            {suggestions.map((suggestion) => {
              const field = template.fields.find((entry) => entry.id === suggestion.fieldId);
              if (!field) return null;
              const model = suggestion.dawidSkene;
              return (
                <tr key={suggestion.fieldId} data-field={suggestion.fieldId}>
                  <th scope="row">{field.label}</th>
                  <td>
                    {suggestion.majority === null
                      ? "No majority"
                      : describeAnswer(field, suggestion.majority, responses)}
                  </td>
                  <td>
                    {model
                      ? `${describeAnswer(field, model.value, responses)} (${Math.round(model.probability * 100)} %)`
                      : "—"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroller>
      <p className="muted small">
        Dawid–Skene weighs each label by how often its annotator agreed with the project’s likely
        answers; where it differs from the majority, the more reliable annotators disagreed with the
        rest.
      </p>
    </section>
  );
}
