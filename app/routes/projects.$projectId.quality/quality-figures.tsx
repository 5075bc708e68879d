import { TableScroller } from "~/components/table-scroller.tsx";
import type {
  AccuracyQuality,
  EconomicsQuality,
  FieldAgreementQuality,
  FinalAccuracyQuality,
  GroupQuality,
  ProjectQuality,
} from "../../../server/services/quality.ts";
import type { Estimate } from "~/domain/estimate.ts";
import {
  estimateText,
  formatCents,
  formatCount,
  formatDuration,
  formatShare,
  formatWithInterval,
  reasonInWords,
  reasonSentence,
} from "~/utils/figures.ts";

/** Krippendorff's (2004) reading of alpha: ≥ 0.8 reliable, ≥ 0.667 tentative, below that not. */
function alphaReading(alpha: number | null): { label: string; tone: string } {
  if (alpha === null) return { label: "not enough data", tone: "muted" };
  if (alpha >= 0.8) return { label: "reliable", tone: "ok" };
  if (alpha >= 0.667) return { label: "tentative", tone: "warn" };
  return { label: "low", tone: "danger" };
}

/** What a field's agreement was measured by, in words. */
export function metricInWords(field: Pick<FieldAgreementQuality, "metric" | "level">): string {
  switch (field.metric) {
    case "alpha":
      return `Krippendorff's alpha, ${field.level ?? "nominal"} level`;
    case "alpha-masi":
      return "Krippendorff's alpha with the MASI distance between sets of options";
    case "alpha-ranks":
      return "Krippendorff's alpha over the ranks each response got (ordinal), with Kendall's W";
    case "span-f1":
      return "Mean pairwise F1 of the marked spans";
  }
}

function Reason({ text }: { text: string }) {
  return <span className="muted small">{text}</span>;
}

function EstimateCell({
  estimate,
  format = formatShare,
}: {
  estimate: Estimate<number> | undefined;
  format?: (value: number) => string;
}) {
  if (estimate === undefined) return <td className="numeric" />;
  return (
    <td className="numeric">
      {estimate.value === null ? (
        <span title={reasonSentence(estimate.reason)}>
          <Reason text={reasonInWords(estimate.reason)} />
        </span>
      ) : (
        format(estimate.value)
      )}
    </td>
  );
}

/** A share with its interval and counts: "0.50 (0.09–0.91) 1 of 2". */
function AccuracyCell({ accuracy }: { accuracy: AccuracyQuality | FinalAccuracyQuality }) {
  const selfDecided = "selfDecided" in accuracy ? accuracy.selfDecided : 0;
  return (
    <td className="numeric">
      {accuracy.value === null ? (
        <span title={accuracy.reason ? reasonSentence(accuracy.reason) : undefined}>
          <Reason text={accuracy.reason ? reasonInWords(accuracy.reason) : "no data yet"} />
        </span>
      ) : (
        <>
          {formatWithInterval(accuracy.value, accuracy.ci)}
          <span className="figure-note">
            {accuracy.correct} of {accuracy.scored}
          </span>
        </>
      )}
      {selfDecided > 0 ? (
        <span className="figure-note">{selfDecided} self-decided, not scored</span>
      ) : null}
    </td>
  );
}

function AlphaCell({ field }: { field: FieldAgreementQuality }) {
  if (field.metric === "span-f1") {
    return (
      <td className="numeric">
        {field.spanF1 ? (
          <>
            {estimateText(field.spanF1.overlap)}
            <span className="figure-note">overlap; exact {estimateText(field.spanF1.exact)}</span>
          </>
        ) : (
          <Reason text={reasonInWords("no-data")} />
        )}
      </td>
    );
  }
  return (
    <td className="numeric">
      {field.alpha === null ? (
        <Reason text={field.reason ? reasonInWords(field.reason) : "no data yet"} />
      ) : (
        <>
          {formatWithInterval(field.alpha, field.alphaCi)}
          {field.alphaCi === null && field.alphaCiReason ? (
            <span className="figure-note">no interval: {reasonInWords(field.alphaCiReason)}</span>
          ) : null}
        </>
      )}
      {field.kendallW ? (
        <span className="figure-note">Kendall&apos;s W {estimateText(field.kendallW)}</span>
      ) : null}
    </td>
  );
}

export function AgreementTable({
  agreement,
  fieldLabel,
}: {
  agreement: FieldAgreementQuality[];
  fieldLabel: (fieldId: string) => string;
}) {
  return (
    <>
      <TableScroller label="Agreement per field">
        <table className="data-table figures-table">
          <caption className="visually-hidden">Agreement per field</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Measured by</th>
              <th scope="col" className="numeric">
                Items
              </th>
              <th scope="col" className="numeric">
                Agreement (95% interval)
              </th>
              <th scope="col" className="numeric">
                Fleiss&apos; κ
              </th>
              <th scope="col">Reading</th>
            </tr>
          </thead>
          <tbody>
            {agreement.map((field) => {
              const reading = alphaReading(field.alpha);
              return (
                <tr key={field.fieldId} data-field={field.fieldId}>
                  <th scope="row">{fieldLabel(field.fieldId)}</th>
                  <td>{metricInWords(field)}</td>
                  <td className="numeric">{field.items}</td>
                  <AlphaCell field={field} />
                  <EstimateCell estimate={field.fleissKappa} />
                  <td>
                    {field.metric === "span-f1" ? (
                      <span className="muted small">see F1</span>
                    ) : (
                      <span className={`badge badge-tone-${reading.tone}`}>{reading.label}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroller>
      {agreement
        .filter((field) => field.cohenKappa.length > 0)
        .map((field) => (
          <details key={field.fieldId} className="figure-pairs">
            <summary>
              Cohen&apos;s κ for {fieldLabel(field.fieldId)}: {field.cohenKappa.length}{" "}
              {field.cohenKappa.length === 1 ? "pair" : "pairs"} of annotators
            </summary>
            <TableScroller
              label={`Cohen's kappa per pair of annotators for ${fieldLabel(field.fieldId)}`}
            >
              <table className="data-table">
                <caption className="visually-hidden">
                  Cohen&apos;s kappa per pair of annotators for {fieldLabel(field.fieldId)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Pair</th>
                    <th scope="col" className="numeric">
                      Items in common
                    </th>
                    <th scope="col" className="numeric">
                      Unweighted
                    </th>
                    <th scope="col" className="numeric">
                      Linear weights
                    </th>
                    <th scope="col" className="numeric">
                      Quadratic weights
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {field.cohenKappa.map((pair) => (
                    <tr key={`${pair.a.name}|${pair.b.name}`}>
                      <th scope="row">
                        {pair.a.name} and {pair.b.name}
                      </th>
                      <td className="numeric">{pair.items}</td>
                      <EstimateCell estimate={pair.unweighted} />
                      <EstimateCell estimate={pair.linear} />
                      <EstimateCell estimate={pair.quadratic} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroller>
          </details>
        ))}
    </>
  );
}

/** The figure columns shared by people and groups; cost columns only where the data has them. */
function EconomicsHeadings({ withCosts }: { withCosts: boolean }) {
  return (
    <>
      <th scope="col" className="numeric">
        Labels
      </th>
      <th scope="col" className="numeric">
        Active time
      </th>
      {withCosts ? (
        <th scope="col" className="numeric">
          Cost
        </th>
      ) : null}
      <th scope="col" className="numeric">
        Accuracy vs final
      </th>
      <th scope="col" className="numeric">
        Gold accuracy
      </th>
      <th scope="col" className="numeric">
        Reliability
      </th>
      {withCosts ? (
        <th scope="col" className="numeric">
          Cost per correct answer
        </th>
      ) : null}
    </>
  );
}

function EconomicsCells({ figures, withCosts }: { figures: EconomicsQuality; withCosts: boolean }) {
  return (
    <>
      <td className="numeric">{formatCount(figures.labels)}</td>
      <td className="numeric">{durationOrHidden(figures.activeMs)}</td>
      {withCosts ? <EstimateCell estimate={figures.costCents} format={formatCents} /> : null}
      <AccuracyCell accuracy={figures.accuracyVsFinal} />
      <AccuracyCell accuracy={figures.goldAccuracy} />
      <EstimateCell estimate={figures.reliability} />
      {withCosts ? (
        <EstimateCell estimate={figures.costPerCorrectCents} format={formatCents} />
      ) : null}
    </>
  );
}

/**
 * A measured time, or a dash where the viewer is not shown times: a client who sees the costs
 * would otherwise read a rate from the two.
 */
function durationOrHidden(ms: number | undefined) {
  if (ms === undefined) {
    return <span title="Not shown where costs are: together they would give a rate">—</span>;
  }
  return formatDuration(ms);
}

const hasCosts = (rows: ReadonlyArray<EconomicsQuality>) =>
  rows.some((row) => row.costCents !== undefined);

export function AnnotatorTable({ annotators }: { annotators: ProjectQuality["annotators"] }) {
  const withCosts = hasCosts(annotators);
  return (
    <TableScroller label="Quality and cost per annotator">
      <table className="data-table figures-table" data-table="annotators">
        <caption className="visually-hidden">Quality and cost per annotator</caption>
        <thead>
          <tr>
            <th scope="col">Annotator</th>
            <EconomicsHeadings withCosts={withCosts} />
          </tr>
        </thead>
        <tbody>
          {annotators.map((entry) => (
            <tr key={entry.annotator.id ?? entry.annotator.name}>
              <th scope="row">
                {entry.annotator.name}
                {entry.level || (entry.domains && entry.domains.length > 0) ? (
                  <span className="figure-note">
                    {[entry.level, ...(entry.domains ?? [])].filter(Boolean).join(" · ")}
                  </span>
                ) : null}
              </th>
              <EconomicsCells figures={entry} withCosts={withCosts} />
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

const levelNames: Record<string, string> = { expert: "Experts", junior: "Juniors" };

export function GroupTable({ groups, by }: { groups: GroupQuality[]; by: "level" | "domain" }) {
  const withCosts = hasCosts(groups);
  const name = (key: string | null) =>
    key === null
      ? by === "level"
        ? "No level (leads)"
        : "No domain"
      : by === "level"
        ? (levelNames[key] ?? key)
        : key;
  return (
    <TableScroller label={`Quality and cost by ${by}`}>
      <table className="data-table figures-table" data-table={`by-${by}`}>
        <caption className="visually-hidden">Quality and cost by {by}</caption>
        <thead>
          <tr>
            <th scope="col">{by === "level" ? "Level" : "Domain"}</th>
            <th scope="col" className="numeric">
              People
            </th>
            <EconomicsHeadings withCosts={withCosts} />
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.key ?? ""}>
              <th scope="row">{name(group.key)}</th>
              <td className="numeric">{group.people}</td>
              <EconomicsCells figures={group} withCosts={withCosts} />
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

/**
 * The answer to "are experts cheaper per unit of quality here?" from the level groups' cost per
 * correct answer, or why the data cannot answer it.
 */
export function levelComparison(byLevel: GroupQuality[]): string {
  const expert = byLevel.find((group) => group.key === "expert");
  const junior = byLevel.find((group) => group.key === "junior");
  if (!expert || !junior) {
    return `Experts and juniors cannot be compared here: no ${expert ? "junior" : "expert"} has worked on this project.`;
  }
  if (expert.costPerCorrectCents === undefined || junior.costPerCorrectCents === undefined) {
    return "Experts and juniors cannot be compared here: the cost of a level is shown only to leads and admins.";
  }
  const [expertCost, juniorCost] = [expert.costPerCorrectCents, junior.costPerCorrectCents];
  if (expertCost.value === null || juniorCost.value === null) {
    const [who, unknown] =
      expertCost.value === null ? ["experts", expertCost] : ["juniors", juniorCost];
    return `Experts and juniors cannot be compared yet: the ${who}' cost per correct answer is unknown (${reasonInWords(unknown.reason ?? "no-data")}).`;
  }
  const figures = `Experts: ${formatCents(expertCost.value)} per correct answer; juniors: ${formatCents(juniorCost.value)}.`;
  if (expertCost.value === juniorCost.value)
    return `${figures} Both cost the same per correct answer.`;
  const cheaper = expertCost.value < juniorCost.value ? "experts" : "juniors";
  return `${figures} Here ${cheaper} are cheaper per unit of quality.`;
}

export function ProjectFigures({ project }: { project: ProjectQuality["project"] }) {
  return (
    <dl className="details" data-figures="project">
      <div>
        <dt>Labels</dt>
        <dd>{formatCount(project.labels)}</dd>
      </div>
      <div>
        <dt>Published items</dt>
        <dd>{formatCount(project.publishedItems.items)}</dd>
      </div>
      <div>
        <dt>Labelling time</dt>
        <dd>{durationOrHidden(project.activeMs)}</dd>
      </div>
      <div>
        <dt>Adjudication and review time</dt>
        <dd>
          {durationOrHidden(
            project.panelMs === undefined || project.reviewMs === undefined
              ? undefined
              : project.panelMs + project.reviewMs,
          )}
        </dd>
      </div>
      {project.costCents ? (
        <div>
          <dt>Cost to date</dt>
          <dd>{estimateText(project.costCents, formatCents)}</dd>
        </div>
      ) : null}
      {project.costPerPublishedItemCents ? (
        <div>
          <dt>Cost per published item</dt>
          <dd>{estimateText(project.costPerPublishedItemCents, formatCents)}</dd>
        </div>
      ) : null}
      {project.costPerCorrectCents ? (
        <div>
          <dt>Cost per correct answer</dt>
          <dd>{estimateText(project.costPerCorrectCents, formatCents)}</dd>
        </div>
      ) : null}
      <div>
        <dt>Accuracy vs final</dt>
        <dd>{accuracyText(project.accuracyVsFinal)}</dd>
      </div>
      <div>
        <dt>Gold accuracy</dt>
        <dd>{accuracyText(project.goldAccuracy)}</dd>
      </div>
      <div>
        <dt>Reliability (Dawid–Skene)</dt>
        <dd>{estimateText(project.reliability)}</dd>
      </div>
    </dl>
  );
}

function accuracyText(accuracy: AccuracyQuality): string {
  if (accuracy.value === null) return reasonInWords(accuracy.reason ?? "no-data");
  return formatWithInterval(accuracy.value, accuracy.ci);
}

/** A class of a reliability model as people read it: a preference's direction in words. */
export function className(fieldType: string | undefined, value: string | number): string {
  if (fieldType !== "preference" || typeof value !== "number") return String(value);
  return value < 0 ? "A better" : value > 0 ? "B better" : "Tie";
}

/**
 * Each annotator's Dawid–Skene confusion matrix for one field: rows are the answer the model
 * believes right, columns what the annotator said, each cell the share of such answers.
 */
export function ReliabilityMatrices({
  model,
  fieldType,
}: {
  model: ProjectQuality["reliabilityModels"][number];
  fieldType: string | undefined;
}) {
  const names = model.classes.map((value) => className(fieldType, value));
  return (
    <div className="reliability-matrices">
      {model.annotators.map((entry) => (
        <TableScroller key={entry.annotator.name} label={`${entry.annotator.name}: confusion`}>
          <table className="data-table compact" data-figure="confusion">
            <caption>
              {entry.annotator.name}: {Math.round(entry.accuracy * 100)}% expected right over{" "}
              {entry.labels} labels
            </caption>
            <thead>
              <tr>
                <th scope="col">Right answer ↓ · said →</th>
                {names.map((name) => (
                  <th key={name} scope="col">
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {entry.confusion.map((row, index) => (
                <tr key={names[index]}>
                  <th scope="row">{names[index]}</th>
                  {row.map((share, column) => (
                    <td key={names[column]} className="number">
                      {`${Math.round(share * 100)}%`}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      ))}
    </div>
  );
}
