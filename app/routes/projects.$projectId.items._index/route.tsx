import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { StatusBadge } from "~/components/project/status-badge.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { itemStatusLabel } from "~/utils/format.ts";
import { loadItemList } from "./items.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Items · ${data.navigation.name} · Quorum` : "Items · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadItemList(request, context, params);
}

export default function ItemList() {
  const { navigation, statuses, status, items, nextCursor, firstPage } =
    useLoaderData<typeof loader>();
  const base = `/projects/${navigation.id}`;
  const query = (cursor: number) =>
    `?${new URLSearchParams({ ...(status ? { status } : {}), cursor: String(cursor) })}`;
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Items</h1>
        <Form method="get" className="filter-form">
          <label htmlFor="status-filter">Status</label>
          <select id="status-filter" name="status" defaultValue={status ?? ""} key={status}>
            <option value="">All</option>
            {statuses.map((entry) => (
              <option key={entry} value={entry}>
                {itemStatusLabel(entry)}
              </option>
            ))}
          </select>
          <button type="submit" className="button">
            Filter
          </button>
        </Form>
      </div>
      {items.length === 0 ? (
        <div className="card empty-state">
          <p>
            {status ? `No ${itemStatusLabel(status).toLowerCase()} items.` : "No items here yet."}
          </p>
        </div>
      ) : (
        <div className="card">
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">
                {status ? `${itemStatusLabel(status)} items` : "Items"}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Status</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Disputed fields</th>
                  <th scope="col">Domain</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id}>
                    <th scope="row">
                      <Link
                        to={`${base}/items/${item.id}`}
                        className="mono"
                        title={item.externalId}
                      >
                        {item.externalId}
                      </Link>
                      {item.submittedByYou ? (
                        <span className="muted small"> · labelled by you</span>
                      ) : null}
                      {item.invitedToPanel ? (
                        <span className="muted small"> · invited to its panel</span>
                      ) : null}
                    </th>
                    <td>{item.status ? <StatusBadge status={item.status} /> : "—"}</td>
                    <td>{item.labelCount ?? "—"}</td>
                    <td>
                      {item.disputedFields.length > 0 ? (
                        <span className="badges">
                          {item.disputedFields.map((label) => (
                            <span key={label} className="badge badge-dispute" title={label}>
                              {label}
                            </span>
                          ))}
                        </span>
                      ) : (
                        ""
                      )}
                    </td>
                    <td>{item.domain ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Pages" className="pager">
            {!firstPage ? <Link to={status ? `?status=${status}` : "?"}>First page</Link> : null}
            {nextCursor !== null ? <Link to={query(nextCursor)}>Next page</Link> : null}
          </nav>
        </div>
      )}
    </>
  );
}
