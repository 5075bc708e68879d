import type { Kysely } from "kysely";
import { krippendorffAlpha, type AlphaLevel } from "../../app/domain/agreement.ts";
import { scoreLabelAgainstGold } from "../../app/domain/gold.ts";
import type { Label, TemplateField } from "../../app/domain/template.ts";
import type { AnnotatorLevel, Database, User } from "../../db/schema.ts";
import { pseudonymsFor, UNNAMED_ANNOTATOR } from "./items.ts";
import { loadProjectFor } from "./project-model.ts";

export interface QualityAnnotator {
  /** null when the viewer sees pseudonyms. */
  id: number | null;
  name: string;
  /** null when the viewer sees pseudonyms: next to the member list it would narrow them down. */
  level: AnnotatorLevel | null;
}

export interface GoldFieldAccuracy {
  fieldId: string;
  /** Mean score from 0 to 1; null when no annotation of a gold item had a gold value here. */
  accuracy: number | null;
  /** Scored annotations behind the mean. */
  count: number;
}

export interface AnnotatorGoldAccuracy {
  annotator: QualityAnnotator;
  goldItems: number;
  fields: GoldFieldAccuracy[];
}

export interface JuniorReviewRecord {
  annotator: QualityAnnotator;
  accepted: number;
  corrected: number;
  rejected: number;
  pending: number;
  /** accepted / decided; null before any review was decided. */
  acceptanceRate: number | null;
}

export interface FieldAgreementQuality {
  fieldId: string;
  level: AlphaLevel;
  /** Krippendorff's alpha; null when it is undefined (too few values, or no variation). */
  alpha: number | null;
  /** Items with at least two values for the field. */
  items: number;
}

export interface ProjectQuality {
  projectId: number;
  pseudonymised: boolean;
  fields: Array<{ id: string; label: string; type: TemplateField["type"] }>;
  goldAccuracy: AnnotatorGoldAccuracy[];
  juniorReviews: JuniorReviewRecord[];
  agreement: FieldAgreementQuality[];
}

/**
 * The level at which a field's agreement is measured; undefined for fields alpha does not cover
 * (spans, rankings and free text have measures of their own; multiple choice is a set, not a
 * category).
 */
function alphaLevelOf(field: TemplateField): AlphaLevel | undefined {
  switch (field.type) {
    case "rating":
      return field.level;
    case "preference":
      return "ordinal";
    case "choice":
      return field.multiple ? undefined : "nominal";
    default:
      return undefined;
  }
}

/**
 * The numbers a lead or client judges a project's labels by: each annotator's accuracy on gold
 * items per field, each junior's review record, and inter-annotator agreement per field.
 */
export async function projectQuality(
  db: Kysely<Database>,
  user: User,
  projectId: number,
): Promise<ProjectQuality> {
  const { project, subject } = await loadProjectFor(db, user, projectId, "project.viewQuality");
  const pseudonymised =
    !subject.isAdmin && subject.role === "client" && project.settings.pseudonymiseForClients;

  const annotations = await db
    .selectFrom("annotations")
    .innerJoin("items", "items.id", "annotations.item_id")
    .innerJoin("users", "users.id", "annotations.user_id")
    .select([
      "annotations.item_id",
      "annotations.user_id",
      "annotations.label",
      "annotations.rejected_at",
      "items.gold_label",
      "users.name",
      "users.level",
    ])
    .where("items.project_id", "=", projectId)
    .orderBy("annotations.id")
    .execute();
  const reviews = await db
    .selectFrom("reviews")
    .innerJoin("annotations", "annotations.id", "reviews.annotation_id")
    .innerJoin("users", "users.id", "annotations.user_id")
    .select(["reviews.verdict", "annotations.user_id", "users.name", "users.level"])
    .where("reviews.project_id", "=", projectId)
    .execute();

  const people = new Map<number, { name: string; level: AnnotatorLevel | null }>();
  for (const row of [...annotations, ...reviews]) {
    people.set(row.user_id, { name: row.name, level: row.level });
  }
  const pseudonyms = pseudonymised ? await pseudonymsFor(db, projectId) : new Map();
  const leads = pseudonymised
    ? new Set(
        (
          await db
            .selectFrom("project_members")
            .select("user_id")
            .where("project_id", "=", projectId)
            .where("role", "=", "lead")
            .execute()
        ).map((row) => row.user_id),
      )
    : new Set<number>();
  const annotatorOf = (userId: number): QualityAnnotator => {
    const person = people.get(userId)!;
    if (!pseudonymised) return { id: userId, name: person.name, level: person.level };
    const name = pseudonyms.get(userId) ?? (leads.has(userId) ? person.name : UNNAMED_ANNOTATOR);
    return { id: null, name, level: null };
  };
  const byName = (a: { annotator: QualityAnnotator }, b: { annotator: QualityAnnotator }) =>
    a.annotator.name.localeCompare(b.annotator.name);

  // Gold accuracy counts every annotation of a gold item, rejected or not: a rejection in
  // review is itself a sign of the accuracy being measured.
  const goldScores = new Map<number, { items: number; sums: Map<string, [number, number]> }>();
  for (const row of annotations) {
    if (row.gold_label === null) continue;
    const scores = scoreLabelAgainstGold(
      project.template,
      row.gold_label as Label,
      row.label as Label,
      { ratingTolerance: project.settings.goldRatingTolerance },
    );
    const record = goldScores.get(row.user_id) ?? { items: 0, sums: new Map() };
    record.items += 1;
    for (const [fieldId, score] of Object.entries(scores)) {
      const [sum, count] = record.sums.get(fieldId) ?? [0, 0];
      record.sums.set(fieldId, [sum + score, count + 1]);
    }
    goldScores.set(row.user_id, record);
  }
  const goldAccuracy = [...goldScores.entries()]
    .map(([userId, record]) => ({
      annotator: annotatorOf(userId),
      goldItems: record.items,
      fields: project.template.fields
        .filter((field) => field.type !== "text" && field.type !== "rewrite")
        .map((field) => {
          const [sum, count] = record.sums.get(field.id) ?? [0, 0];
          return { fieldId: field.id, accuracy: count === 0 ? null : sum / count, count };
        }),
    }))
    .sort(byName);

  const verdicts = new Map<number, Omit<JuniorReviewRecord, "annotator" | "acceptanceRate">>();
  for (const row of reviews) {
    const record = verdicts.get(row.user_id) ?? {
      accepted: 0,
      corrected: 0,
      rejected: 0,
      pending: 0,
    };
    record[row.verdict] += 1;
    verdicts.set(row.user_id, record);
  }
  const juniorReviews = [...verdicts.entries()]
    .map(([userId, record]) => {
      const decided = record.accepted + record.corrected + record.rejected;
      return {
        annotator: annotatorOf(userId),
        ...record,
        acceptanceRate: decided === 0 ? null : record.accepted / decided,
      };
    })
    .sort(byName);

  const labelsByItem = new Map<number, Label[]>();
  for (const row of annotations) {
    if (row.gold_label !== null || row.rejected_at !== null) continue;
    const labels = labelsByItem.get(row.item_id) ?? [];
    labels.push(row.label as Label);
    labelsByItem.set(row.item_id, labels);
  }
  const agreement: FieldAgreementQuality[] = [];
  for (const field of project.template.fields) {
    const level = alphaLevelOf(field);
    if (!level) continue;
    const units = [...labelsByItem.values()]
      .map((labels) =>
        labels
          .map((label) => label[field.id])
          .filter(
            (value): value is number | string =>
              typeof value === "number" || typeof value === "string",
          ),
      )
      .filter((values) => values.length >= 2);
    agreement.push({
      fieldId: field.id,
      level,
      alpha: krippendorffAlpha(units, level).value,
      items: units.length,
    });
  }

  return {
    projectId,
    pseudonymised,
    fields: project.template.fields.map((field) => ({
      id: field.id,
      label: field.label,
      type: field.type,
    })),
    goldAccuracy,
    juniorReviews,
    agreement,
  };
}
