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
import { GuidelinesIntro } from "~/components/labeling/guidelines.tsx";
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
  const {
    project,
    userId,
    shortcuts,
    task,
    queueEmpty,
    status,
    guidelines,
    previousUrl,
    contentFormats,
  } = useLoaderData<typeof loader>();
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
  const onFlag = useCallback(
    (note: string) => {
      if (itemId === undefined) return;
      submit({ intent: "flag", itemId, note }, { method: "post", encType: "application/json" });
    },
    [submit, itemId],
  );

  if (!task) {
    const mayAsk = status.state === "available" && !queueEmpty;
    return (
      <ContentFormatsProvider formats={contentFormats}>
        {mayAsk && guidelines && status.doneTotal === 0 ? (
          <GuidelinesIntro guidelines={guidelines} projectName={project.name} keymap={keymap}>
            <Form method="post" className="centered">
              <button
                type="submit"
                name="intent"
                value="next"
                className="button button-primary"
                disabled={navigation.state !== "idle"}
              >
                I have read them: start labelling
              </button>
            </Form>
          </GuidelinesIntro>
        ) : mayAsk ? (
          <NextItemRequest />
        ) : (
          <EmptyQueue projectName={project.name} status={status} previousUrl={previousUrl} />
        )}
      </ContentFormatsProvider>
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
        previousUrl={previousUrl}
        onSubmit={onSubmit}
        onSkip={onSkip}
        onFlag={onFlag}
      />
    </ContentFormatsProvider>
  );
}

type QueueStatus = ReturnType<typeof useLoaderData<typeof loader>>["status"];

/**
 * Why there is nothing to label, in the annotator's terms: nothing imported, nothing in their
 * domains, everything left held by others for now, or everything done. An item may still be
 * kept back for an expert when the server's state says items are open; that too is waiting.
 */
function EmptyQueue({
  projectName,
  status,
  previousUrl,
}: {
  projectName: string;
  status: QueueStatus;
  previousUrl: string | null;
}) {
  const { title, text } = {
    no_items: {
      title: "No items yet",
      text: `${projectName} has no items to label yet. They appear here as soon as a lead imports them.`,
    },
    no_items_for_domains: {
      title: "No items in your domains",
      text: `Every item of ${projectName} is in a domain your profile does not cover. A lead or admin can add the domain to your profile.`,
    },
    waiting: {
      title: "Waiting for items",
      text:
        status.waiting > 0
          ? `${status.waiting} ${status.waiting === 1 ? "item you could label is" : "items you could label are"} being labelled by others right now. If a reservation runs out, the item comes to you.`
          : "The items left are being labelled by others right now, or are kept for an expert. Check again in a while.",
    },
    available: {
      title: "Waiting for items",
      text: "The items left are being labelled by others right now, or are kept for an expert. Check again in a while.",
    },
    all_done: {
      title: "All done",
      text: `You have labelled or skipped every item of ${projectName} that is open to you. New items appear here as they are imported or come back to the queue.`,
    },
  }[status.state];
  return (
    <section className="empty-state card labeling-empty" aria-labelledby="empty-heading">
      <h1 id="empty-heading">Nothing to label right now</h1>
      <h2 className="labeling-empty-reason">{title}</h2>
      <p>{text}</p>
      <p className="labeling-progress small" aria-label="Your progress">
        {status.doneToday} labelled today · {status.doneTotal} in all
      </p>
      <Form method="post" className="centered">
        <button type="submit" name="intent" value="next" className="button">
          Check again
        </button>{" "}
        {previousUrl ? (
          <>
            <Link to={previousUrl} className="button">
              Change your last label
            </Link>{" "}
          </>
        ) : null}
        <Link to="/projects" className="button button-primary">
          Back to projects
        </Link>
      </Form>
    </section>
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
