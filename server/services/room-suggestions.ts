import type { Kysely } from "kysely";
import { fieldValue } from "../../app/domain/accuracy.ts";
import { ownEntry, type Template } from "../../app/domain/template.ts";
import type { Database } from "../../db/schema.ts";
import type { ProjectModel } from "./project-model.ts";
import { projectQualityComputation, type QualityLabel } from "./quality-economics.ts";
import type { CategoricalModel } from "./quality-models.ts";

/**
 * What the independent labels of an item suggest for one of its single-choice or preference
 * fields: the plain majority, and Dawid–Skene's most probable answer, which weighs each label by
 * how reliable its annotator proved across the whole project. A preference is suggested by its
 * direction only (−1: A is better, 0: a tie, 1: B is better), as the model reads it.
 */
export interface FieldSuggestion {
  fieldId: string;
  /** Counted labels on the item that answer the field. */
  votes: number;
  /** The most frequent answer; null when two or more answers tie for it, or nobody answered. */
  majority: string | number | null;
  /** The model's answer and its posterior probability; null where the model could not be fitted. */
  dawidSkene: { value: string | number; probability: number } | null;
}

/** The suggestions for one item from the project's labels and models; pure. */
export function fieldSuggestions(
  template: Template,
  labels: ReadonlyArray<QualityLabel>,
  models: ReadonlyArray<CategoricalModel>,
  itemId: number,
): FieldSuggestion[] {
  const itemLabels = labels.filter(
    (entry) => entry.itemId === itemId && entry.goldLabel === null && !entry.rejected,
  );
  return models.map(({ fieldId, model }) => {
    const field = template.fields.find((candidate) => candidate.id === fieldId);
    const counts = new Map<string | number, number>();
    for (const entry of itemLabels) {
      const value = field && fieldValue(field, ownEntry(entry.label, fieldId));
      if (value === undefined || Array.isArray(value)) continue;
      const answer = field?.type === "preference" ? Math.sign(value as number) : value;
      counts.set(answer, (counts.get(answer) ?? 0) + 1);
    }
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const majority =
      ranked.length === 0 || (ranked.length > 1 && ranked[0][1] === ranked[1][1])
        ? null
        : ranked[0][0];
    const posterior = model.value?.items.find((entry) => entry.item === itemId);
    const classes = model.value?.classes ?? [];
    const dawidSkene = posterior
      ? {
          value: posterior.label,
          probability: posterior.posterior[classes.indexOf(posterior.label)] ?? 0,
        }
      : null;
    const votes = [...counts.values()].reduce((sum, count) => sum + count, 0);
    return { fieldId, votes, majority, dawidSkene };
  });
}

/**
 * The suggestions for an item of the project, from the project's kept quality computation (one
 * read and one fit per change of the project's labels, shared with the quality page).
 */
export async function roomSuggestions(
  db: Kysely<Database>,
  project: ProjectModel,
  itemId: number,
): Promise<FieldSuggestion[]> {
  const computation = await projectQualityComputation(db, project);
  return fieldSuggestions(project.template, computation.data.labels, computation.models(), itemId);
}
