import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormAlert } from "~/components/field.tsx";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { formatDateTime } from "~/utils/format.ts";
import { decideFlag, loadFlagQueue } from "./flags.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Flags · ${data.navigation.name} · Quorum` : "Flags · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadFlagQueue(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return decideFlag(request, context, params);
}

export default function FlagQueue() {
  const { navigation, open, resolved, skips, assignees } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const itemPath = (itemId: number) => `/projects/${navigation.id}/items/${itemId}`;
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Flags and skips</h1>
      </div>
      <div className="stack-large">
        <section className="card" aria-labelledby="open-heading">
          <h2 id="open-heading">
            Open flags <span className="muted small">({open.length})</span>
          </h2>
          {result && result.flagId === null ? (
            <FormAlert errors={result.errors.formErrors} />
          ) : null}
          {open.length === 0 ? (
            <p className="empty-inline">No item is flagged.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Items annotators flagged for a lead</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Note</th>
                    <th scope="col">Flagged by</th>
                    <th scope="col">When</th>
                    <th scope="col">Decide</th>
                  </tr>
                </thead>
                <tbody>
                  {open.map((flag) => (
                    <tr key={flag.id}>
                      <th scope="row" className="mono">
                        <Link to={itemPath(flag.item.id)}>{flag.item.externalId}</Link>
                      </th>
                      <td dir="auto">{flag.note}</td>
                      <td>{flag.flaggedBy.name}</td>
                      <td>{formatDateTime(flag.createdAt)}</td>
                      <td className="stack">
                        {result?.flagId === flag.id ? (
                          <FormAlert
                            errors={[
                              ...result.errors.formErrors,
                              ...Object.values(result.errors.fieldErrors).flatMap(
                                (messages) => messages ?? [],
                              ),
                            ]}
                          />
                        ) : null}
                        <Form method="post">
                          <input type="hidden" name="flagId" value={flag.id} />
                          <button
                            type="submit"
                            name="intent"
                            value="release"
                            className="button"
                            disabled={busy}
                          >
                            Release
                            <span className="visually-hidden"> {flag.item.externalId}</span>
                          </button>
                        </Form>
                        <Form method="post">
                          <input type="hidden" name="flagId" value={flag.id} />
                          <label>
                            <span className="visually-hidden">
                              Reassign {flag.item.externalId} to
                            </span>
                            <select name="email" defaultValue="">
                              <option value="" disabled>
                                Reassign to…
                              </option>
                              {assignees.map((assignee) => (
                                <option key={assignee.email} value={assignee.email}>
                                  {assignee.name}
                                </option>
                              ))}
                            </select>
                          </label>{" "}
                          <button
                            type="submit"
                            name="intent"
                            value="reassign"
                            className="button"
                            disabled={busy}
                          >
                            Reassign
                          </button>
                        </Form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted small">
            Release gives the item back to the queue, for the annotator who flagged it too (their
            draft is kept). Reassign reserves it for the person you choose.
          </p>
        </section>

        <section className="card" aria-labelledby="skips-heading">
          <h2 id="skips-heading">
            Skip reasons <span className="muted small">({skips.length})</span>
          </h2>
          {skips.length === 0 ? (
            <p className="empty-inline">No item has been skipped.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Why annotators skipped items</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Skipped by</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {skips.map((skip) => (
                    <tr key={`${skip.item.id}-${skip.skippedBy.id}`}>
                      <th scope="row" className="mono">
                        <Link to={itemPath(skip.item.id)}>{skip.item.externalId}</Link>
                      </th>
                      <td dir="auto">{skip.reason}</td>
                      <td>{skip.skippedBy.name}</td>
                      <td>{skip.skippedAt ? formatDateTime(skip.skippedAt) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        {resolved.length > 0 ? (
          <section className="card" aria-labelledby="resolved-heading">
            <h2 id="resolved-heading">Recently decided</h2>
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Flags already decided</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Note</th>
                    <th scope="col">Decision</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {resolved.map((flag) => (
                    <tr key={flag.id}>
                      <th scope="row" className="mono">
                        <Link to={itemPath(flag.item.id)}>{flag.item.externalId}</Link>
                      </th>
                      <td dir="auto">{flag.note}</td>
                      <td>
                        {flag.status === "reassigned"
                          ? `Reassigned to ${flag.reassignedTo?.name ?? "a former member"}`
                          : "Released"}
                        {flag.resolvedBy ? ` by ${flag.resolvedBy.name}` : ""}
                      </td>
                      <td>{flag.resolvedAt ? formatDateTime(flag.resolvedAt) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
      </div>
    </>
  );
}
