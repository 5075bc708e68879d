import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSubmit,
} from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef } from "react";
import katexStylesUrl from "katex/dist/katex.min.css?url";
import { LabelingWorkspace } from "~/components/labeling/workspace.tsx";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
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
  const { project, userId, shortcuts, task, queueEmpty } = useLoaderData<typeof loader>();
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

  if (!task && !queueEmpty) return <NextItemRequest />;
  if (!task) {
    return (
      <section className="empty-state card labeling-empty" aria-labelledby="empty-heading">
        <h1 id="empty-heading">Nothing to label right now</h1>
        <p>
          You have labelled every item of {project.name} that is waiting for you. New items appear
          here as they are imported or come back to the queue.
        </p>
        <Form method="post" className="centered">
          <button type="submit" name="intent" value="next" className="button">
            Check again
          </button>{" "}
          <Link to="/projects" className="button button-primary">
            Back to projects
          </Link>
        </Form>
      </section>
    );
  }

  return (
    <ContentFormatsProvider formats={task.contentFormats}>
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
    </ContentFormatsProvider>
  );
}

/**
 * Without a reservation the page asks for the next item, which reserves one and so is a POST:
 * at once when scripts run, or with the button when they do not.
 */
function NextItemRequest() {
  const submit = useSubmit();
  const navigation = useNavigation();
  const requested = useRef(false);
  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    submit({ intent: "next" }, { method: "post" });
  }, [submit]);
  return (
    <section className="empty-state card labeling-empty" aria-labelledby="next-heading">
      <h1 id="next-heading">Your next item</h1>
      <Form method="post" className="centered">
        <button
          type="submit"
          name="intent"
          value="next"
          className="button button-primary"
          disabled={navigation.state !== "idle"}
        >
          {navigation.state === "idle" ? "Get the next item" : "Getting your next item…"}
        </button>
      </Form>
    </section>
  );
}
