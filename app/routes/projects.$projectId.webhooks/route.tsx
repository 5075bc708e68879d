import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorList, Field, FormAlert } from "~/components/field.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { TableScroller } from "~/components/table-scroller.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime } from "~/utils/format.ts";
import { changeWebhooks, loadWebhooks } from "./webhooks.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Webhooks · ${data.navigation.name} · Quorum` : "Webhooks · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadWebhooks(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return changeWebhooks(request, context, params);
}

export default function Webhooks() {
  const { navigation, webhooks, deliveries, eventTypes, mayAllowPrivate } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const chosen = deliveries?.webhook;
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Webhooks</h1>
      </div>
      <div className="stack-large">
        <p className="muted">
          Quorum sends each event of this project that an endpoint subscribes to as a signed POST
          (Standard Webhooks), in order, retrying failures with growing delays for a day.
        </p>
        <FormAlert errors={result?.errors.formErrors} />
        {result?.created ? (
          <div className="notice" role="status" data-testid="webhook-secret">
            <p>Endpoint added. Its signing secret is shown this once; keep it with the receiver:</p>
            <p className="mono">{result.created.secret}</p>
          </div>
        ) : null}

        <section className="card" aria-labelledby="endpoints-heading">
          <h2 id="endpoints-heading">Endpoints</h2>
          {webhooks.length === 0 ? (
            <p className="empty-inline">No endpoint yet.</p>
          ) : (
            <TableScroller label="Endpoints">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Events</th>
                    <th scope="col">Owner</th>
                    <th scope="col">State</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {webhooks.map((webhook) => (
                    <tr key={webhook.id}>
                      <th scope="row" className="mono">
                        <Link to={`?webhook=${webhook.id}`}>{webhook.url}</Link>
                      </th>
                      <td>{webhook.events.join(", ")}</td>
                      <td>{webhook.owner?.name ?? "Nobody"}</td>
                      <td>
                        {!webhook.enabled
                          ? webhook.turnedOffAt
                            ? `Turned off on ${formatDateTime(webhook.turnedOffAt)}: nothing delivered since ${formatDateTime(webhook.delivery.unreachableSince ?? webhook.turnedOffAt)}. Its events wait; enable it to resume`
                            : "Disabled"
                          : webhook.paused
                            ? `Paused: ${webhook.owner?.name ?? "its owner"} may no longer manage this project's webhooks; take it over to resume`
                            : webhook.delivery.failedAttempts > 0
                              ? `Failing: ${webhook.delivery.failedAttempts} attempts, next ${webhook.delivery.nextAttemptAt ? formatDateTime(webhook.delivery.nextAttemptAt) : "soon"}`
                              : "Delivering"}
                      </td>
                      <td>
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="webhookId" value={webhook.id} />
                          <input
                            type="hidden"
                            name="enabled"
                            value={String(webhook.paused || !webhook.enabled)}
                          />
                          <button type="submit" name="intent" value="enable" disabled={busy}>
                            {webhook.paused ? "Take over" : webhook.enabled ? "Disable" : "Enable"}
                          </button>
                          <button type="submit" name="intent" value="delete" disabled={busy}>
                            Remove
                          </button>
                        </Form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroller>
          )}
        </section>

        <section className="card" aria-labelledby="add-heading">
          <h2 id="add-heading">Add an endpoint</h2>
          <Form method="post" className="stack">
            <Field
              label="URL"
              name="url"
              type="url"
              required
              placeholder="https://example.com/quorum-events"
              errors={result?.errors.fieldErrors.url}
            />
            <fieldset>
              <legend>Events</legend>
              {eventTypes.map((type) => (
                <label key={type} className="checkbox-field">
                  <input type="checkbox" name="events" value={type} defaultChecked />
                  <span className="mono">{type}</span>
                </label>
              ))}
              <ErrorList errors={result?.errors.fieldErrors.events} />
            </fieldset>
            {mayAllowPrivate ? (
              <label className="checkbox-field">
                <input type="checkbox" name="allowPrivateAddresses" />
                Allow this host and private networks (admins only)
              </label>
            ) : null}
            <div>
              <button type="submit" name="intent" value="create" disabled={busy}>
                Add endpoint
              </button>
            </div>
          </Form>
        </section>

        {chosen && deliveries ? (
          <section className="card" aria-labelledby="log-heading">
            <h2 id="log-heading">
              Deliveries to <span className="mono">{chosen.url}</span>{" "}
              <span className="muted small">({deliveries.waiting} waiting)</span>
            </h2>
            {result?.redelivered ? (
              <p role="status">
                Event {result.redelivered.eventId}{" "}
                {result.redelivered.delivered
                  ? "was delivered again."
                  : `could not be delivered: ${result.redelivered.error ?? "unknown error"}`}
              </p>
            ) : null}
            {deliveries.attempts.length === 0 ? (
              <p className="empty-inline">Nothing sent yet.</p>
            ) : (
              <TableScroller label="Delivery log">
                <table className="data-table" data-testid="delivery-log">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Event</th>
                      <th scope="col">Attempt</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Answer</th>
                      <th scope="col">Send again</th>
                    </tr>
                  </thead>
                  <tbody>
                    {deliveries.attempts.map((attempt) => (
                      <tr key={attempt.id}>
                        <td>{formatDateTime(attempt.at)}</td>
                        <td className="mono">
                          {attempt.eventType ?? "event"} #{attempt.eventId}
                        </td>
                        <td>
                          {attempt.attempt}
                          {attempt.manual ? " (by hand)" : ""}
                        </td>
                        <td>{attempt.outcome}</td>
                        <td>
                          {attempt.error ?? `HTTP ${attempt.statusCode ?? "—"}`} ·{" "}
                          {attempt.durationMs} ms
                        </td>
                        <td>
                          <Form method="post">
                            <input type="hidden" name="webhookId" value={chosen.id} />
                            <input type="hidden" name="eventId" value={attempt.eventId} />
                            <button
                              type="submit"
                              name="intent"
                              value="redeliver"
                              disabled={busy}
                              aria-label={`Send event ${attempt.eventId} again`}
                            >
                              Redeliver
                            </button>
                          </Form>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroller>
            )}
          </section>
        ) : null}
      </div>
    </>
  );
}
