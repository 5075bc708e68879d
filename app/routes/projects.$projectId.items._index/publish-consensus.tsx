import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { ConfirmButton } from "~/components/confirm-button.tsx";

export interface BulkPublishResult {
  bulkPublish: { published: number; skipped: Array<{ itemId: number; reason: string }> };
}

/**
 * A lead's button to publish every consensus item's label as its next version, with the count
 * asked about before anything happens, and what was published and skipped afterwards.
 */
export function PublishConsensus({ projectId, count }: { projectId: number; count: number }) {
  const result = useActionData<BulkPublishResult>()?.bulkPublish;
  const navigation = useNavigation();
  const publishing = navigation.formData?.get("intent") === "publish-consensus";
  const items = (n: number) => `${n} consensus item${n === 1 ? "" : "s"}`;
  return (
    <section className="card stack" aria-labelledby="publish-consensus-heading">
      <h2 id="publish-consensus-heading">Publish consensus</h2>
      {count === 0 ? (
        <p className="muted small">No consensus item is waiting to be published.</p>
      ) : (
        <Form method="post" className="form-actions">
          <p className="small">
            {items(count)} wait to be published. Items whose room was edited, or whose label changed
            or no longer passes the template, are skipped and listed.
          </p>
          <ConfirmButton
            name="intent"
            value="publish-consensus"
            question={`Publish ${items(count)} as their next version?`}
            confirmLabel={`Publish ${items(count)}`}
            disabled={publishing}
          >
            {publishing ? "Publishing…" : `Publish ${items(count)}…`}
          </ConfirmButton>
        </Form>
      )}
      {result ? (
        <div role="status">
          <p className="small">{`Published ${result.published}; skipped ${result.skipped.length}.`}</p>
          {result.skipped.length > 0 ? (
            <ul className="small" aria-label="Skipped items">
              {result.skipped.map((entry) => (
                <li key={entry.itemId}>
                  <Link to={`/projects/${projectId}/items/${entry.itemId}`}>
                    Item {entry.itemId}
                  </Link>
                  : {entry.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
