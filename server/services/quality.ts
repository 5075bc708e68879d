import type { Kysely, Transaction } from "kysely";
import type { AccuracyFigure, FinalAccuracyFigure } from "../../app/domain/accuracy.ts";
import type { AlphaLevel } from "../../app/domain/agreement.ts";
import type { Figures } from "../../app/domain/cost.ts";
import type { Estimate, UndefinedReason } from "../../app/domain/estimate.ts";
import { scoreLabelAgainstGold } from "../../app/domain/gold.ts";
import type { TemplateField } from "../../app/domain/template.ts";
import type { AnnotatorLevel, Database, ProjectRole, User } from "../../db/schema.ts";
import { byName, pseudonymsFor, UNNAMED_ANNOTATOR } from "./items.ts";
import { seesProjectCosts, seesWorkingTimes } from "./progress.ts";
import { loadProjectFor, loadProjectModel, type ProjectModel } from "./project-model.ts";
import type { AgreementMetric } from "./quality-agreement.ts";
import type { DailyQuality } from "./quality-over-time.ts";
import {
  EXACT,
  fingerprintOfSameData,
  fingerprintParts,
  pooledReliability,
  projectQualityComputation,
  projectsOf,
  qualityFingerprint,
  SLOW_COMPUTATION_MS,
  type FingerprintParts,
  type Freshness,
  type QualityComputation,
} from "./quality-economics.ts";
import {
  readStoredFingerprint,
  readStoredQuality,
  refingerprintStoredQuality,
  storeQuality,
  touchStoredQuality,
} from "./quality-snapshots.ts";

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

export interface KappaPairQuality {
  a: QualityAnnotator;
  b: QualityAnnotator;
  /** Units both rated. */
  items: number;
  unweighted: Estimate<number>;
  linear: Estimate<number>;
  quadratic: Estimate<number>;
}

export interface FieldAgreementQuality {
  fieldId: string;
  /** What was computed (see `AgreementMetric`). */
  metric: AgreementMetric;
  /** The level alpha was measured at; null for multiple choice (MASI) and spans. */
  level: AlphaLevel | null;
  /** Krippendorff's alpha; null when it is undefined, with `reason`. */
  alpha: number | null;
  reason: UndefinedReason | null;
  /** Its bootstrap 95 % interval, [lower, upper]; null with `alphaCiReason`. */
  alphaCi: [number, number] | null;
  alphaCiReason: UndefinedReason | null;
  fleissKappa: Estimate<number>;
  cohenKappa: KappaPairQuality[];
  /** Items with at least two values for the field. */
  items: number;
  kendallW?: Estimate<number>;
  spanF1?: { exact: Estimate<number>; overlap: Estimate<number> };
}

/** A share of answers that are right: value and Wilson's 95 % interval, or null with a reason. */
export interface AccuracyQuality {
  value: number | null;
  reason: UndefinedReason | null;
  ci: [number, number] | null;
  correct: number;
  scored: number;
}

export interface FinalAccuracyQuality extends AccuracyQuality {
  /** Answers not scored: the final rests on them and the other labels settle on nothing. */
  selfDecided: number;
}

/**
 * The figures a person, a group or the project is judged by. The cost figures are absent where
 * the viewer may not see them (see docs/decisions/023-quality-endpoint.md).
 */
export interface EconomicsQuality {
  /** Labels given, gold answers and labels rejected in review included. */
  labels: number;
  /**
   * The server-measured labelling time (decision 021); absent for a client who sees the
   * project's cost (`seesWorkingTimes`).
   */
  activeMs?: number;
  costCents?: Estimate<number>;
  accuracyVsFinal: FinalAccuracyQuality;
  goldAccuracy: AccuracyQuality;
  /** Dawid–Skene's expected share of correct labels on choice fields and preference directions. */
  reliability: Estimate<number>;
  costPerCorrectCents?: Estimate<number>;
}

export interface AnnotatorQuality extends EconomicsQuality {
  annotator: QualityAnnotator;
  /** null when the viewer sees pseudonyms. */
  level: AnnotatorLevel | null;
  domains: string[] | null;
  /** Accuracy against the final label per scored field. */
  fields: Array<{ fieldId: string; accuracyVsFinal: FinalAccuracyQuality }>;
}

export interface GroupQuality extends EconomicsQuality {
  /** The level or domain; null for the people without one. */
  key: string | null;
  people: number;
}

export interface ProjectTotalsQuality extends EconomicsQuality {
  /** Measured time of panels in rooms of published versions, and of reviewers on reviews. */
  panelMs?: number;
  reviewMs?: number;
  /** Published items, and those whose every piece of work has a cost. */
  publishedItems: { items: number; costedItems: number };
  costPerPublishedItemCents?: Estimate<number>;
  /** Pieces of work (labels, a person's time on a version or a review) without a cost. */
  uncostedWork?: { withoutTime: number; withoutRate: number };
  /** Versions and reviews from before time was measured per person. */
  unmeasured: { versions: number; reviews: number };
}

export interface FieldQuality {
  fieldId: string;
  accuracyVsFinal: FinalAccuracyQuality;
  goldAccuracy: AccuracyQuality;
  /** The field's even share of a published item's cost. */
  costPerPublishedItemCents?: Estimate<number>;
  costPerCorrectCents?: Estimate<number>;
}

/**
 * Dawid–Skene fitted to one single-choice field (or a preference field's directions: −1 A, 0 a
 * tie, 1 B): the classes in order, and for each annotator their expected share of correct labels
 * and confusion matrix, `confusion[j][l]` = P(says classes[l] | the answer is classes[j]).
 */
export interface ReliabilityModelQuality {
  fieldId: string;
  classes: Array<string | number>;
  /** The model's estimate of how the items' answers are spread over the classes. */
  priors: number[];
  iterations: number;
  converged: boolean;
  annotators: Array<{
    annotator: QualityAnnotator;
    labels: number;
    accuracy: number;
    confusion: number[][];
  }>;
  /** Why there is no model; null when there is one. */
  reason: UndefinedReason | null;
}

export interface ProjectQuality {
  projectId: number;
  pseudonymised: boolean;
  /** Whether cost figures are in this view (for a client: the project's `showCostsToClients`). */
  costsShown: boolean;
  fields: Array<{ id: string; label: string; type: TemplateField["type"] }>;
  goldAccuracy: AnnotatorGoldAccuracy[];
  juniorReviews: JuniorReviewRecord[];
  agreement: FieldAgreementQuality[];
  annotators: AnnotatorQuality[];
  /** By level and by domain; null under pseudonyms, where groups would map back to people. */
  groups: { byLevel: GroupQuality[]; byDomain: GroupQuality[] } | null;
  project: ProjectTotalsQuality;
  fieldQuality: FieldQuality[];
  reliabilityModels: ReliabilityModelQuality[];
  /**
   * The last 30 UTC days, oldest first: each item counts on the day its latest label was
   * submitted; alpha per field and accuracy against the final label of those items.
   */
  overTime: DailyQuality[];
}

function accuracyQuality(figure: AccuracyFigure): AccuracyQuality {
  return {
    value: figure.value.value,
    reason: figure.value.reason,
    ci: figure.ci === null ? null : [figure.ci.lower, figure.ci.upper],
    correct: figure.correct,
    scored: figure.scored,
  };
}

function finalAccuracyQuality(figure: FinalAccuracyFigure): FinalAccuracyQuality {
  return { ...accuracyQuality(figure), selfDecided: figure.selfDecided };
}

/**
 * The numbers a lead or client judges a project's labels by: inter-annotator agreement per
 * field; each annotator's accuracy against final labels and on gold items, reliability and cost,
 * and the same by level, by domain, per field and for the project; each junior's review record.
 * Everything comes from one read of the project (`readQualityData`) and one pass of the pure
 * functions over it, kept until the data change (or, with `freshness`, a bounded while longer),
 * in this process and in the database (`qualityFigures`), then cut to what the viewer may see.
 */
export async function projectQuality(
  db: Kysely<Database>,
  user: User,
  projectId: number,
  freshness: Freshness = EXACT,
): Promise<ProjectQuality> {
  const { project, subject } = await loadProjectFor(db, user, projectId, "project.viewQuality");
  const clientView = !subject.isAdmin && subject.role === "client";
  const pseudonymised = clientView && project.settings.pseudonymiseForClients;
  const figures = await qualityFigures(db, project, freshness);
  return cutForViewer(figures, {
    pseudonyms: pseudonymised ? await pseudonymsFor(db, projectId) : null,
    // Clients see what the work cost only where the project says so, and then only for the
    // whole project: a person's or a group's cost next to their measured time gives a rate away.
    costsShown: seesProjectCosts(subject, project),
    costsPerPerson: !clientView,
    timesShown: seesWorkingTimes(subject, project),
  });
}

/**
 * A project's figures as a lead sees them (names, levels, every cost), with each person's role
 * in the project: what is kept and stored, and cut per viewer by `cutForViewer`.
 */
export interface QualityFigures {
  view: ProjectQuality;
  roles: Array<[number, ProjectRole | null]>;
}

/** What a viewer may see of the figures (docs/decisions/023-quality-endpoint.md). */
interface ViewerCut {
  /** Each annotator's pseudonym; null when the viewer sees names. */
  pseudonyms: Map<number, string> | null;
  costsShown: boolean;
  costsPerPerson: boolean;
  /** Whether working times are in it (`seesWorkingTimes`). */
  timesShown: boolean;
}

const byAnnotatorName = (a: { annotator: QualityAnnotator }, b: { annotator: QualityAnnotator }) =>
  byName(a.annotator.name, b.annotator.name);

/** The figures as a lead sees them, from one computation. */
function leadFigures(computation: QualityComputation, project: ProjectModel): QualityFigures {
  const { data, economics, groups, groupPeople } = computation;
  const reliability = computation.reliability();
  const annotatorOf = (userId: number): QualityAnnotator => {
    const person = data.workers.get(userId);
    return { id: userId, name: person?.name ?? UNNAMED_ANNOTATOR, level: person?.level ?? null };
  };

  // Gold accuracy counts every annotation of a gold item, rejected or not: a rejection in
  // review is itself a sign of the accuracy being measured.
  const goldScores = new Map<number, { items: number; sums: Map<string, [number, number]> }>();
  for (const row of data.labels) {
    if (row.goldLabel === null) continue;
    const scores = scoreLabelAgainstGold(project.template, row.goldLabel, row.label, {
      ratingTolerance: project.settings.goldRatingTolerance,
    });
    const record = goldScores.get(row.userId) ?? { items: 0, sums: new Map() };
    record.items += 1;
    for (const [fieldId, score] of Object.entries(scores)) {
      const [sum, count] = record.sums.get(fieldId) ?? [0, 0];
      record.sums.set(fieldId, [sum + score, count + 1]);
    }
    goldScores.set(row.userId, record);
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
    .sort(byAnnotatorName);

  const verdicts = new Map<number, Omit<JuniorReviewRecord, "annotator" | "acceptanceRate">>();
  for (const row of data.reviews) {
    const record = verdicts.get(row.userId) ?? {
      accepted: 0,
      corrected: 0,
      rejected: 0,
      pending: 0,
    };
    record[row.verdict] += 1;
    verdicts.set(row.userId, record);
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
    .sort(byAnnotatorName);

  const agreement = computation.agreements().map((field): FieldAgreementQuality => ({
    fieldId: field.fieldId,
    metric: field.metric,
    level: field.level,
    alpha: field.alpha.value,
    reason: field.alpha.reason,
    alphaCi: field.alphaCi.value,
    alphaCiReason: field.alphaCi.reason,
    fleissKappa: field.fleissKappa,
    cohenKappa: field.cohenKappa
      .map((pair) => ({
        a: annotatorOf(pair.a),
        b: annotatorOf(pair.b),
        items: pair.items,
        unweighted: pair.unweighted,
        linear: pair.linear,
        quadratic: pair.quadratic,
      }))
      .sort(byPairNames),
    items: field.items,
    ...(field.kendallW ? { kendallW: field.kendallW } : {}),
    ...(field.spanF1 ? { spanF1: field.spanF1 } : {}),
  }));

  const figures = (source: Figures, people: ReadonlyArray<number>): EconomicsQuality => ({
    labels: source.labels,
    activeMs: source.activeMs,
    costCents: source.costCents,
    accuracyVsFinal: finalAccuracyQuality(source.accuracyVsFinal),
    goldAccuracy: accuracyQuality(source.goldAccuracy),
    reliability: pooledReliability(reliability, people),
    costPerCorrectCents: source.costPerCorrectCents,
  });

  const annotators = economics.people
    .map((person): AnnotatorQuality => {
      const worker = data.workers.get(person.person);
      return {
        annotator: annotatorOf(person.person),
        level: worker?.level ?? null,
        domains: worker?.domains ?? [],
        ...figures(person, [person.person]),
        fields: person.fields.map((field) => ({
          fieldId: field.fieldId,
          accuracyVsFinal: finalAccuracyQuality(field),
        })),
      };
    })
    .sort(byAnnotatorName);

  const groupsOf = (
    list: typeof groups.byLevel,
    people: Map<string | null, number[]>,
  ): GroupQuality[] =>
    list.map((group) => ({
      key: group.key,
      people: group.people,
      ...figures(group, people.get(group.key) ?? []),
    }));

  const everyone = economics.people.map((person) => person.person);
  const { whole, publishedItems } = economics;
  const view: ProjectQuality = {
    projectId: project.id,
    pseudonymised: false,
    costsShown: true,
    fields: project.template.fields.map((field) => ({
      id: field.id,
      label: field.label,
      type: field.type,
    })),
    goldAccuracy,
    juniorReviews,
    agreement,
    annotators,
    groups: {
      byLevel: groupsOf(groups.byLevel, groupPeople.byLevel),
      byDomain: groupsOf(groups.byDomain, groupPeople.byDomain),
    },
    project: {
      ...figures(whole, everyone),
      panelMs: whole.tally.panelMs,
      reviewMs: whole.tally.reviewMs,
      publishedItems: { items: publishedItems.items, costedItems: publishedItems.costedItems },
      costPerPublishedItemCents: publishedItems.means.totalCents,
      uncostedWork: {
        withoutTime: whole.tally.workWithoutTime,
        withoutRate: whole.tally.workWithoutRate,
      },
      unmeasured: economics.unmeasured,
    },
    reliabilityModels: computation.models().map(({ fieldId, model }): ReliabilityModelQuality => ({
      fieldId,
      classes: model.value?.classes ?? [],
      priors: model.value?.priors ?? [],
      iterations: model.value?.iterations ?? 0,
      converged: model.value?.converged ?? false,
      annotators: (model.value?.annotators ?? [])
        .map((entry) => ({
          annotator: annotatorOf(entry.annotator),
          labels: entry.labels,
          accuracy: entry.accuracy,
          confusion: entry.confusion,
        }))
        .sort(byAnnotatorName),
      reason: model.value === null ? model.reason : null,
    })),
    fieldQuality: economics.fields.map((field) => ({
      fieldId: field.fieldId,
      accuracyVsFinal: finalAccuracyQuality(field.accuracyVsFinal),
      goldAccuracy: accuracyQuality(field.goldAccuracy),
      costPerPublishedItemCents: field.perPublishedItemCents,
      costPerCorrectCents: field.costPerCorrectCents,
    })),
    overTime: computation.overTime(),
  };
  const roles = [...data.workers.values()].map((worker): [number, ProjectRole | null] => [
    worker.id,
    worker.role,
  ]);
  return { view, roles };
}

/** The least time between two writes of the data's latest match with the stored figures. */
const MIN_TOUCH_MS = 1_000;

/** Computations already made into a lead's figures. */
const figuresOfComputation = new WeakMap<QualityComputation, QualityFigures>();

/** Per database and project, what this process last stored: the fingerprint and its match. */
const lastStored = new WeakMap<
  Kysely<Database>,
  Map<number, { fingerprint: string; matchedAt: number }>
>();

/**
 * A project's figures as a lead sees them, within `freshness`. A process that holds no computed
 * figures of the project (it has just started, or has not been asked for it lately) answers
 * from the figures stored in the database when their data are the project's data, or were seen
 * to be within the bound, while, in a long-lived process (`refreshUntil`), it computes its own
 * behind. Figures of projects that take at least `SLOW_COMPUTATION_MS` to compute from nothing
 * are stored, even when patched in less: the others compute faster than they are read back.
 */
export async function qualityFigures(
  db: Kysely<Database>,
  project: ProjectModel,
  freshness: Freshness = EXACT,
): Promise<QualityFigures> {
  let fingerprint: string | undefined;
  if (!projectQualityComputation.holds(db, project.id)) {
    const stored = await storedFigures(db, project.id, freshness);
    if (stored.figures) return stored.figures;
    // Read before anything is computed: the computation below checks the same one.
    fingerprint = stored.fingerprint;
  } else {
    fingerprint = await qualityFingerprint(db, project.id);
    if (!projectQualityComputation.holds(db, project.id, fingerprint)) {
      // Figures stored with a bulk write are those of the data as they are: patching the held
      // ones with every item the write changed would read nearly all of them again.
      const stored = await currentStoredFigures(db, project.id, fingerprint, freshness);
      if (stored) return stored;
    }
  }
  const computation = await projectQualityComputation(db, project, freshness, fingerprint);
  let figures = figuresOfComputation.get(computation);
  if (!figures) {
    figures = leadFigures(computation, project);
    figuresOfComputation.set(computation, figures);
  }
  const kept = projectQualityComputation.describe(computation);
  const slow = freshness.slowComputationMs ?? SLOW_COMPUTATION_MS;
  // Judged by what computing them from nothing took: what a process holding nothing would pay.
  if (kept && kept.fromNothingMs >= slow) await store(db, project.id, figures, kept, freshness);
  return figures;
}

/** The stored figures, if they may answer within `freshness`, and the data's fingerprint. */
async function storedFigures(
  db: Kysely<Database>,
  projectId: number,
  freshness: Freshness,
): Promise<{ figures: QualityFigures | null; fingerprint: string }> {
  const [stored, fingerprint] = await Promise.all([
    readStoredQuality<QualityFigures>(db, projectId),
    qualityFingerprint(db, projectId),
  ]);
  if (!stored) return { figures: null, fingerprint };
  const seenAt = Date.now();
  const current = stored.fingerprint === fingerprint;
  if (!current && seenAt - stored.matchedAt > freshness.maxStaleMs) {
    return { figures: null, fingerprint };
  }
  if (freshness.refreshUntil && !freshness.refreshUntil.aborted) {
    projectQualityComputation.warm(db, projectId, fingerprint, seenAt);
  }
  if (current) await store(db, projectId, null, { fingerprint, matchedAt: seenAt }, freshness);
  return { figures: stored.figures, fingerprint };
}

/**
 * The stored figures when they are those of the data with `fingerprint`, for a process that holds
 * older ones; in a long-lived process (`refreshUntil`) its own are then brought up to the data
 * behind, so that the changes after are patched into kept rows.
 */
async function currentStoredFigures(
  db: Kysely<Database>,
  projectId: number,
  fingerprint: string,
  freshness: Freshness,
): Promise<QualityFigures | null> {
  if ((await readStoredFingerprint(db, projectId)) !== fingerprint) return null;
  const stored = await readStoredQuality<QualityFigures>(db, projectId);
  if (stored?.fingerprint !== fingerprint) return null;
  const { refreshUntil } = freshness;
  if (refreshUntil && !refreshUntil.aborted) {
    void projectQualityComputation.computeAhead(db, projectId, { maxStaleMs: 0, refreshUntil });
  }
  return stored.figures;
}

/**
 * Computes a project's figures inside the transaction that wrote a bulk of its data (an import),
 * from nothing, and stores them there, so that they commit with the data (decision 032). The
 * transaction's events take their ids only at its commit, so the figures are stored under the
 * fingerprint the transaction reads, which nobody else will read: `confirmFiguresOfWrite`, once
 * it committed, puts them under the fingerprint others read, if the data are still those. Pass
 * the project's latest event id as read before the transaction's first write.
 */
export async function storeFiguresWithWrite(
  transaction: Transaction<Database>,
  projectId: number,
  eventsBefore: number,
): Promise<FingerprintParts> {
  const read = await fingerprintParts(transaction, projectId, eventsBefore);
  const project = await loadProjectModel(transaction, projectId);
  const computation = await projectQualityComputation(
    transaction,
    project,
    EXACT,
    read.fingerprint,
  );
  const figures = leadFigures(computation, project);
  const kept = projectQualityComputation.describe(computation);
  await storeQuality(transaction, projectId, {
    fingerprint: read.fingerprint,
    figures,
    // Now, not when the computation began: figures of the data before the write, seen current
    // meanwhile by a request, must not count as later than these.
    matchedAt: Date.now(),
    computeMs: kept?.computeMs ?? 0,
  });
  return read;
}

/**
 * After the write's commit: the figures `storeFiguresWithWrite` stored become those of the data
 * as everyone reads them, unless anything else changed the project since they were computed;
 * then they are left as they are, under a fingerprint no data have, and the project is computed
 * as without them.
 */
export async function confirmFiguresOfWrite(
  db: Kysely<Database>,
  projectId: number,
  stored: FingerprintParts,
): Promise<boolean> {
  const now = await fingerprintParts(db, projectId, stored.eventsAfter?.afterId ?? null);
  if (!fingerprintOfSameData(stored, now)) return false;
  await refingerprintStoredQuality(db, projectId, stored.fingerprint, now.fingerprint);
  return true;
}

/**
 * Whether this process holds the project's figures of its data as `reader` sees them: a write
 * that touches few items then brings them up to date after its commit by reading those items
 * alone (`patchFiguresAfterWrite`), rather than computing them from nothing before it.
 */
export async function holdsCurrentFigures(
  db: Kysely<Database>,
  reader: Kysely<Database>,
  projectId: number,
): Promise<boolean> {
  if (!projectQualityComputation.holds(db, projectId)) return false;
  return projectQualityComputation.holds(
    db,
    projectId,
    await qualityFingerprint(reader, projectId),
  );
}

/**
 * After a write's commit, in the process that held the figures of the data before it: the figures
 * patched with the items it changed, and stored as any computation of the project's is.
 */
export async function patchFiguresAfterWrite(
  db: Kysely<Database>,
  projectId: number,
): Promise<void> {
  await qualityFigures(db, await loadProjectModel(db, projectId), EXACT);
}

/**
 * Stores the figures kept under `fingerprint` (or, without figures, the data's latest match with
 * the stored ones): each computation once, and each match once per half bound at most.
 */
async function store(
  db: Kysely<Database>,
  projectId: number,
  figures: QualityFigures | null,
  kept: { fingerprint: string; matchedAt: number; computeMs?: number },
  freshness: Freshness,
): Promise<void> {
  const projects = projectsOf(lastStored, db);
  const last = projects.get(projectId);
  const { fingerprint, matchedAt } = kept;
  if (figures && last?.fingerprint !== fingerprint) {
    projects.set(projectId, { fingerprint, matchedAt });
    await storeQuality(db, projectId, {
      fingerprint,
      figures,
      matchedAt,
      computeMs: kept.computeMs ?? 0,
    });
  } else if (
    (last === undefined || last.fingerprint === fingerprint) &&
    matchedAt - (last?.matchedAt ?? 0) >= Math.max(freshness.maxStaleMs / 2, MIN_TOUCH_MS)
  ) {
    projects.set(projectId, { fingerprint, matchedAt });
    await touchStoredQuality(db, projectId, fingerprint, matchedAt);
  }
}

function byPairNames(x: KappaPairQuality, y: KappaPairQuality): number {
  return byName(x.a.name, y.a.name) || byName(x.b.name, y.b.name);
}

/** Leaves the cost figures out of a person's, group's or the project's figures. */
function withoutCosts<Entry extends EconomicsQuality>(entry: Entry): Entry {
  const { costCents: _cost, costPerCorrectCents: _perCorrect, ...rest } = entry;
  return rest as Entry;
}

/**
 * The lead's figures cut to what a viewer may see: clients without a person's or a group's cost,
 * and without the project's unless it shows costs to clients; under pseudonyms, no id, level,
 * domain or group, and annotators by pseudonym (leads by name), sorted by it.
 */
export function cutForViewer(figures: QualityFigures, cut: ViewerCut): ProjectQuality {
  const { view } = figures;
  const { pseudonyms, costsShown, costsPerPerson, timesShown } = cut;
  if (pseudonyms === null && costsShown && costsPerPerson && timesShown) return view;
  const roles = new Map(figures.roles);
  const annotatorOf = (annotator: QualityAnnotator): QualityAnnotator => {
    if (pseudonyms === null || annotator.id === null) return annotator;
    const name =
      pseudonyms.get(annotator.id) ??
      (roles.get(annotator.id) === "lead" ? annotator.name : UNNAMED_ANNOTATOR);
    return { id: null, name, level: null };
  };
  const renamed = <Entry extends { annotator: QualityAnnotator }>(list: Entry[]): Entry[] =>
    pseudonyms === null
      ? list
      : list
          .map((entry) => ({ ...entry, annotator: annotatorOf(entry.annotator) }))
          .sort(byAnnotatorName);
  const personCosts = <Entry extends EconomicsQuality>(entry: Entry): Entry =>
    withoutTimes(costsPerPerson ? entry : withoutCosts(entry));
  const withoutTimes = <Entry extends EconomicsQuality>(entry: Entry): Entry => {
    if (timesShown) return entry;
    const { activeMs: _active, ...rest } = entry;
    return rest as Entry;
  };
  const projectTimes = (project: ProjectTotalsQuality): ProjectTotalsQuality => {
    if (timesShown) return project;
    const { panelMs: _panel, reviewMs: _review, ...rest } = withoutTimes(project);
    return rest;
  };

  const {
    costPerPublishedItemCents: _perItem,
    uncostedWork: _uncosted,
    ...projectWithoutCosts
  } = view.project;
  return {
    ...view,
    pseudonymised: pseudonyms !== null,
    costsShown,
    goldAccuracy: renamed(view.goldAccuracy),
    juniorReviews: renamed(view.juniorReviews),
    agreement: view.agreement.map((field) => ({
      ...field,
      cohenKappa:
        pseudonyms === null
          ? field.cohenKappa
          : field.cohenKappa
              .map((pair) => {
                // Within a pair too, in the order of the names shown: kept in the order of the
                // ids, the pair would tell which pseudonym has the lower id. Kappa is symmetric.
                const [a, b] = [annotatorOf(pair.a), annotatorOf(pair.b)].sort((x, y) =>
                  byName(x.name, y.name),
                ) as [QualityAnnotator, QualityAnnotator];
                return { ...pair, a, b };
              })
              .sort(byPairNames),
    })),
    annotators: renamed(
      view.annotators.map((entry) => ({
        ...personCosts(entry),
        level: pseudonyms === null ? entry.level : null,
        domains: pseudonyms === null ? entry.domains : null,
      })),
    ),
    groups:
      pseudonyms !== null || view.groups === null
        ? null
        : {
            byLevel: view.groups.byLevel.map(personCosts),
            byDomain: view.groups.byDomain.map(personCosts),
          },
    project: projectTimes(costsShown ? view.project : withoutCosts(projectWithoutCosts)),
    fieldQuality: costsShown
      ? view.fieldQuality
      : view.fieldQuality.map(
          ({ costPerPublishedItemCents: _perItem, costPerCorrectCents: _perCorrect, ...rest }) =>
            rest,
        ),
    reliabilityModels: view.reliabilityModels.map((model) => ({
      ...model,
      annotators: renamed(model.annotators),
    })),
  };
}
