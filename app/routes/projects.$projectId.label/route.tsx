import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useCallback, useMemo } from "react";
import katexStylesUrl from "katex/dist/katex.min.css?url";
import { LabelingWorkspace } from "~/components/labeling/workspace.tsx";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import { mergeKeymap } from "~/domain/shortcuts.ts";
import labelingStylesUrl from "~/styles/labeling.css?url";
import { labelingAction, loadLabeling } from "./label.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: katexStylesUrl },
  { rel: "stylesheet", href: labelingStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Label · ${data.project.name} · Quorum` : "Label · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadLabeling(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return labelingAction(request, context, params);
}

export default function Label() {
  const { project, userId, shortcuts, task } = useLoaderData<typeof loader>();
  const problem = useActionData<typeof action>() ?? null;
  const navigation = useNavigation();
  const submit = useSubmit();
  const keymap = useMemo(() => mergeKeymap(shortcuts), [shortcuts]);
  const itemId = task?.itemId;

  const onSubmit = useCallback(
    (label: DraftLabel, durationMs: number) => {
      if (itemId === undefined) return;
      submit(
        { intent: "submit", itemId, label: label as Record<string, never>, durationMs },
        { method: "post", encType: "application/json" },
      );
    },
    [submit, itemId],
  );
  const onSkip = useCallback(
    (reason: string) => {
      if (itemId === undefined) return;
      submit({ intent: "skip", itemId, reason }, { method: "post", encType: "application/json" });
    },
    [submit, itemId],
  );

  if (!task) {
    return (
      <section className="empty-state card labeling-empty" aria-labelledby="empty-heading">
        <h1 id="empty-heading">Nothing to label right now</h1>
        <p>
          You have labelled every item of {project.name} that is waiting for you. New items appear
          here as they are imported or come back to the queue.
        </p>
        <p className="centered">
          <Link to="/projects" className="button button-primary">
            Back to projects
          </Link>
        </p>
      </section>
    );
  }

  return (
    <LabelingWorkspace
      key={task.itemId}
      projectName={project.name}
      userId={userId}
      draftUrl={`/projects/${project.id}/label/draft`}
      keymap={keymap}
      task={task}
      problem={problem}
      busy={navigation.state !== "idle"}
      onSubmit={onSubmit}
      onSkip={onSkip}
    />
  );
}
