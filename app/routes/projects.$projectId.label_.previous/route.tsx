import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import {
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSubmit,
  type ClientActionFunctionArgs,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { useCallback, useMemo } from "react";
import katexStylesUrl from "katex/dist/katex.min.css?url";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import { LabelingWorkspace, type SubmissionProblem } from "~/components/labeling/workspace.tsx";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import { mergeKeymap } from "~/domain/shortcuts.ts";
import labelingStylesUrl from "~/styles/labeling.css?url";
import { reachServerAction, wasUnreachable } from "~/utils/unreachable.ts";
import { loadPrevious, saveRevision } from "./previous.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: katexStylesUrl },
  { rel: "stylesheet", href: labelingStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Change your last label · ${data.project.name} · Quorum` : "Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadPrevious(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return saveRevision(request, context, params);
}

/** A change that cannot reach the server stays on the page to send again, as on the labeling page. */
export async function clientAction({ serverAction }: ClientActionFunctionArgs) {
  return reachServerAction(() => serverAction<typeof action>());
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult }) =>
  !wasUnreachable(actionResult);

const noop = () => undefined;

export default function PreviousLabel() {
  const { project, userId, shortcuts, task, status, guidelines, contentFormats } =
    useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof clientAction>() ?? null;
  // One object per answer: the workspace moves the focus to each new problem.
  const problem: SubmissionProblem | null = useMemo(
    () =>
      wasUnreachable(actionResult)
        ? {
            message:
              "Could not reach Quorum — your change is not saved yet. Check your connection, then try again.",
            fieldErrors: [],
            retry: true,
          }
        : actionResult,
    [actionResult],
  );
  const navigation = useNavigation();
  const submit = useSubmit();
  const keymap = useMemo(() => mergeKeymap(shortcuts), [shortcuts]);
  const itemId = task?.itemId;
  const onSubmit = useCallback(
    (label: DraftLabel) => {
      if (itemId === undefined) return;
      submit(
        { itemId, label: label as Record<string, never> },
        { method: "post", encType: "application/json" },
      );
    },
    [submit, itemId],
  );

  if (!task) {
    return (
      <section className="empty-state card labeling-empty" aria-labelledby="previous-heading">
        <h1 id="previous-heading">No label to change</h1>
        <p>
          A label can be changed until its item has all its labels, and until a lead has reviewed
          it. Your last label in {project.name} can no longer change, or you have not labelled
          anything here yet.
        </p>
        <p className="centered">
          <Link to={`/projects/${project.id}/label`} className="button button-primary">
            Back to labelling
          </Link>
        </p>
      </section>
    );
  }

  return (
    <ContentFormatsProvider formats={contentFormats}>
      <LabelingWorkspace
        key={task.itemId}
        projectName={project.name}
        userId={userId}
        draftUrl={`/projects/${project.id}/label/draft`}
        keymap={keymap}
        task={task}
        problem={problem}
        busy={navigation.state !== "idle"}
        progress={status}
        guidelines={guidelines}
        revising
        onSubmit={onSubmit}
        onSkip={noop}
        onFlag={noop}
      />
    </ContentFormatsProvider>
  );
}
