import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { checkDisputePolicy, checkTemplate } from "~/domain/template-messages.ts";
import { AppError } from "../../../server/errors.ts";
import { updateProject } from "../../../server/services/project-admin.ts";
import { loadProjectModel } from "../../../server/services/project-model.ts";
import {
  appErrorToFormErrors,
  parseJsonField,
  parseJsonSyntax,
} from "~/components/project/form-errors.server.ts";
import { loadProjectPage } from "~/components/project/project-page.server.ts";
import { parseFormData, type FormErrors } from "~/utils/forms.ts";
import { throwAsRouteError } from "~/utils/route-errors.server.ts";

type Params = LoaderFunctionArgs["params"];

export async function loadProjectSettings(
  request: Request,
  context: AppLoadContext,
  params: Params,
) {
  const page = await loadProjectPage(request, context, params, "project.edit");
  const model = await loadProjectModel(context.quorum.db, page.projectId).catch(throwAsRouteError);
  return {
    navigation: page.navigation,
    details: {
      name: page.project.name,
      description: page.project.description,
      domain: page.project.domain ?? "",
      overlap: model.overlap,
      autoPublishConsensus: model.autoPublishConsensus,
    },
    settings: model.settings,
    disputePolicy: model.disputePolicy,
    template: model.template,
  };
}

const checkbox = z
  .literal("on")
  .optional()
  .transform((value) => value === "on");
/**
 * A whole number in the range the project service accepts (app/domain/project.ts,
 * server/services/project-admin.ts), refused here with words the form can show next to its input
 * rather than the service's "Too small: expected number to be >=1".
 */
const wholeNumber = (min: number, max: number, message: string) =>
  z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
const share = z.coerce
  .number({ error: "Enter a percentage from 0 to 100" })
  .min(0, "Enter a percentage from 0 to 100")
  .max(100, "Enter a percentage from 0 to 100")
  .transform((percent) => percent / 100);

const settingsFormSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("details"),
      name: z.string().trim().min(1, "Give the project a name"),
      description: z.string().default(""),
      domain: z
        .string()
        .trim()
        .transform((domain) => (domain === "" ? null : domain)),
      overlap: wholeNumber(1, 50, "Enter a whole number from 1 to 50"),
      autoPublishConsensus: checkbox,
    }),
    z.object({
      intent: z.literal("workflow"),
      reservationMinutes: wholeNumber(
        1,
        7 * 24 * 60,
        "Enter a whole number of minutes from 1 to 10080 (a week)",
      ),
      requireExpert: checkbox,
      goldRate: share,
      goldRatingTolerance: wholeNumber(0, 100, "Enter a whole number from 0 to 100"),
      juniorReviewFirstN: wholeNumber(0, 10_000, "Enter a whole number from 0 to 10000"),
      juniorReviewRate: share,
      pseudonymiseForClients: checkbox,
      showCostsToClients: checkbox,
      publishQuorum: z
        .string()
        .trim()
        .transform((value) => (value === "" ? null : Number(value)))
        .pipe(
          z
            .number({ error: "Enter a whole number of approvals" })
            .int("Enter a whole number of approvals")
            .min(1, "At least one approval")
            .max(100, "At most 100 approvals")
            .nullable(),
        ),
    }),
    z.object({ intent: z.literal("disputePolicy"), disputePolicy: z.string() }),
    z.object({ intent: z.literal("template"), template: z.string() }),
    z.object({ intent: z.literal("archive") }),
    z.object({ intent: z.literal("unarchive") }),
  ],
  { error: "This form sent an action the settings page does not know" },
);

/**
 * The workflow form's input for each path of the service's `settings`; the rest (a checkbox
 * cannot be out of range) goes to the form as a whole.
 */
const workflowInputs: Record<string, string> = {
  "settings.reservationMinutes": "reservationMinutes",
  "settings.goldRate": "goldRate",
  "settings.goldRatingTolerance": "goldRatingTolerance",
  "settings.juniorReview.firstN": "juniorReviewFirstN",
  "settings.juniorReview.rate": "juniorReviewRate",
  "settings.publishRule": "publishQuorum",
  settings: "(root)",
};

export interface TemplateBreak {
  item: string;
  source: string;
  field: string;
  message: string;
}

function isTemplateBreakList(details: unknown): details is TemplateBreak[] {
  return (
    Array.isArray(details) &&
    details.every((detail) => typeof detail === "object" && detail !== null && "item" in detail)
  );
}

interface SettingsActionResult {
  intent: string | null;
  errors: FormErrors | null;
  templateBreaks: TemplateBreak[] | null;
  saved: boolean;
}

export async function saveProjectSettings(
  request: Request,
  context: AppLoadContext,
  params: Params,
) {
  const page = await loadProjectPage(request, context, params, "project.edit");
  const formData = await request.formData();
  const submittedIntent = formData.get("intent");
  const intent = typeof submittedIntent === "string" ? submittedIntent : null;
  const reply = (result: Partial<SettingsActionResult>, status = 200) =>
    data<SettingsActionResult>(
      { intent, errors: null, templateBreaks: null, saved: false, ...result },
      { status },
    );
  const parsed = parseFormData(settingsFormSchema, formData);
  if (!parsed.success) return reply({ errors: parsed.errors }, 422);

  const form = parsed.data;
  const model = await loadProjectModel(context.quorum.db, page.projectId).catch(throwAsRouteError);
  const errors: FormErrors = { formErrors: [], fieldErrors: {} };
  let update: Record<string, unknown>;
  switch (form.intent) {
    case "details":
      update = {
        name: form.name,
        description: form.description,
        domain: form.domain,
        overlap: form.overlap,
        autoPublishConsensus: form.autoPublishConsensus,
      };
      break;
    case "workflow":
      update = {
        settings: {
          reservationMinutes: form.reservationMinutes,
          requireExpert: form.requireExpert,
          goldRate: form.goldRate,
          goldRatingTolerance: form.goldRatingTolerance,
          juniorReview: { firstN: form.juniorReviewFirstN, rate: form.juniorReviewRate },
          pseudonymiseForClients: form.pseudonymiseForClients,
          showCostsToClients: form.showCostsToClients,
          publishRule:
            form.publishQuorum === null
              ? { kind: "lead" }
              : { kind: "quorum", approvals: form.publishQuorum },
        },
      };
      break;
    case "disputePolicy": {
      const disputePolicy = parseJsonField(form.disputePolicy, "disputePolicy", errors);
      const problems =
        disputePolicy === undefined ? [] : checkDisputePolicy(disputePolicy, model.template);
      if (problems.length > 0) {
        errors.fieldErrors.disputePolicy = problems.map((problem) => problem.message);
      }
      update = { disputePolicy };
      break;
    }
    case "template": {
      // The template's own check names text that cannot be stored too, by field, in words.
      const template = parseJsonSyntax(form.template, "template", errors);
      const check = template === undefined ? null : checkTemplate(template);
      if (check && !check.ok) {
        errors.fieldErrors.template = check.problems.map((problem) => problem.message);
      }
      update = { template };
      break;
    }
    case "archive":
    case "unarchive":
      update = { archived: form.intent === "archive" };
      break;
  }
  if (Object.keys(errors.fieldErrors).length > 0) return reply({ errors }, 422);

  try {
    await updateProject(context.quorum.db, page.user, page.projectId, update);
  } catch (error) {
    if (
      error instanceof AppError &&
      error.code === "conflict" &&
      isTemplateBreakList(error.details)
    ) {
      return reply(
        { errors: { formErrors: [error.message], fieldErrors: {} }, templateBreaks: error.details },
        409,
      );
    }
    // Workflow settings are one nested object; its errors belong to the inputs, by key.
    return reply(
      {
        errors: appErrorToFormErrors(error, form.intent === "workflow" ? workflowInputs : {}),
      },
      422,
    );
  }
  return reply({ saved: true });
}
