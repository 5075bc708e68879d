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
  type ClientActionFunctionArgs,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import katexStylesUrl from "katex/dist/katex.min.css?url";
import { GuidelinesIntro } from "~/components/labeling/guidelines.tsx";
import { LabelingWorkspace } from "~/components/labeling/workspace.tsx";
import type { SubmissionProblem } from "~/components/labeling/workspace.tsx";
import type { DraftLabel } from "~/components/labeling/label-draft.ts";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import { mergeKeymap } from "~/domain/shortcuts.ts";
import { ownEntry, type Template } from "~/domain/template.ts";
import labelingStylesUrl from "~/styles/labeling.css?url";
import { reachServerAction, wasUnreachable } from "~/utils/unreachable.ts";
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

/**
 * A submit that cannot reach the server keeps the annotator on their item (the label stays in
 * the form and on this device) and says so, rather than replacing the page with the error page.
 */
export async function clientAction({ serverAction }: ClientActionFunctionArgs) {
  return reachServerAction(() => serverAction<typeof action>());
}

/**
 * After any answer from the server the page shows what it now holds (after a conflict, the
 * item may be gone); after no answer there is nothing new to show.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult }) =>
  !wasUnreachable(actionResult);

/** What the page last asked of an item, kept to say what became of it when the answer is no. */
interface SentRequest {
  intent: "submit" | "skip" | "flag";
  itemId: number;
  /** A submitted label, with the template to read it by, to give back if it is refused. */
  submitted: { label: DraftLabel; template: Template } | null;
}

const unreachableMessages: Record<SentRequest["intent"], string> = {
  submit:
    "Could not reach Quorum — your label is kept on this device. Check your connection, then try again.",
  skip: "Could not reach Quorum — the item was not skipped. Check your connection, then try again.",
  flag: "Could not reach Quorum — the flag was not sent. Check your connection, then try again.",
};

const refusedHeadlines: Record<SentRequest["intent"], string> = {
  submit: "Your label for that item was not stored.",
  skip: "That item was not skipped.",
  flag: "That item was not flagged.",
};

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
  const actionResult = useActionData<typeof clientAction>() ?? null;
  const navigation = useNavigation();
  const submit = useSubmit();
  const keymap = useMemo(() => mergeKeymap(shortcuts), [shortcuts]);
  const itemId = task?.itemId;
  const template = task?.template ?? null;
  const [sent, setSent] = useState<SentRequest | null>(null);

  const onSubmit = useCallback(
    (label: DraftLabel, durationMs: number) => {
      if (itemId === undefined) return;
      setSent({ intent: "submit", itemId, submitted: template ? { label, template } : null });
      submit(
        { intent: "submit", itemId, label: label as Record<string, never>, durationMs },
        { method: "post", encType: "application/json" },
      );
    },
    [submit, itemId, template],
  );
  const onSkip = useCallback(
    (reason: string) => {
      if (itemId === undefined) return;
      setSent({ intent: "skip", itemId, submitted: null });
      submit({ intent: "skip", itemId, reason }, { method: "post", encType: "application/json" });
    },
    [submit, itemId],
  );
  const onFlag = useCallback(
    (note: string) => {
      if (itemId === undefined) return;
      setSent({ intent: "flag", itemId, submitted: null });
      submit({ intent: "flag", itemId, note }, { method: "post", encType: "application/json" });
    },
    [submit, itemId],
  );

  const unreachable = wasUnreachable(actionResult);
  const aboutShownItem = sent !== null && sent.itemId === itemId;
  const sentIntent = sent?.intent ?? null;
  // One object per answer, not per render or per retry: the workspace moves the focus to each
  // new problem.
  const problem: SubmissionProblem | null = useMemo(
    () =>
      actionResult === null || sentIntent === null || !aboutShownItem
        ? null
        : wasUnreachable(actionResult)
          ? { message: unreachableMessages[sentIntent], fieldErrors: [], retry: true }
          : actionResult,
    [actionResult, sentIntent, aboutShownItem],
  );
  // A refusal about an item the page no longer shows (a conflict ends the reservation, and the
  // page reloads without the item) is shown above whatever the page shows now.
  const notice =
    actionResult === null || aboutShownItem ? null : unreachable ? (
      <div role="alert" className="form-alert">
        <p>Could not reach Quorum. Check your connection, then try again.</p>
      </div>
    ) : sent ? (
      <RefusalNotice sent={sent} message={actionResult.message} />
    ) : null;

  if (!task) {
    const mayAsk = status.state === "available" && !queueEmpty;
    return (
      <ContentFormatsProvider formats={contentFormats}>
        {notice}
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
          // The annotator reads the refusal, and may copy their label, before moving on.
          <NextItemRequest automatic={notice === null} />
        ) : (
          <EmptyQueue projectName={project.name} status={status} previousUrl={previousUrl} />
        )}
      </ContentFormatsProvider>
    );
  }

  return (
    <ContentFormatsProvider formats={contentFormats}>
      {notice}
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

/** A label's answers as the annotator would read them, one field a line. */
function readableLabel(label: DraftLabel, template: Template): string {
  return template.fields
    .filter((field) => ownEntry(label, field.id) !== undefined)
    .map((field) => {
      const value = ownEntry(label, field.id);
      return `${field.label}: ${typeof value === "string" ? value : JSON.stringify(value)}`;
    })
    .join("\n");
}

/**
 * Says that what was sent for an item was refused, and why, where the page has landed since: it
 * takes the focus, so that a keyboard or screen reader user learns of it first. A refused label
 * is given back to copy, as the item it was written for is no longer held.
 */
function RefusalNotice({ sent, message }: { sent: SentRequest; message: string }) {
  const alertRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    alertRef.current?.focus();
  }, [sent, message]);
  return (
    <div ref={alertRef} role="alert" tabIndex={-1} className="form-alert refusal-notice">
      <p>
        <strong>{refusedHeadlines[sent.intent]}</strong> {message.replace(/\.?$/, ".")}
      </p>
      {sent.submitted ? (
        <>
          <label htmlFor="refused-label">Your label as you sent it, to copy:</label>
          <textarea
            id="refused-label"
            readOnly
            rows={4}
            value={readableLabel(sent.submitted.label, sent.submitted.template)}
          />
        </>
      ) : null}
    </div>
  );
}

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
 * at once when scripts run (unless the page has something to say first), or with the button.
 */
function NextItemRequest({ automatic }: { automatic: boolean }) {
  const submit = useSubmit();
  const navigation = useNavigation();
  const requested = useRef(false);
  useEffect(() => {
    if (requested.current || !automatic) return;
    requested.current = true;
    submit({ intent: "next" }, { method: "post" });
  }, [submit, automatic]);
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
