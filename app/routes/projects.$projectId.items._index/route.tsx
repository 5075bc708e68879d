import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ProjectHeader } from "~/components/project/project-header.tsx";
import { StatusBadge } from "~/components/project/status-badge.tsx";
import projectStylesUrl from "~/styles/project.css?url";
import { itemStatusLabel } from "~/utils/format.ts";
import { loadItemList, publishConsensusFromList } from "./items.server.ts";
import { PublishConsensus } from "./publish-consensus.tsx";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: projectStylesUrl }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Items · ${data.navigation.name} · Quorum` : "Items · Quorum" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadItemList(request, context, params);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return publishConsensusFromList(request, context, params);
}

const sortLabels: Record<string, string> = {
  id: "Oldest first (import order)",
  "-id": "Newest first",
  created: "Imported, earliest first",
  "-created": "Imported, latest first",
  updated: "Changed, earliest first",
  "-updated": "Changed, latest first",
};

export default function ItemList() {
  const {
    navigation,
    statuses,
    sorts,
    maxSearchLength,
    filters,
    problem,
    may,
    domains,
    annotators,
    fields,
    total,
    items,
    nextCursor,
    firstPage,
    consensusCount,
  } = useLoaderData<typeof loader>();
  const base = `/projects/${navigation.id}`;
  const withFilters = (extra: Record<string, string>) =>
    `?${new URLSearchParams({ ...(filters as Record<string, string>), ...extra })}`;
  const filtered = Object.keys(filters).some((name) => name !== "sort");
  // Keyed by the query, so that going back to another filter shows its values again.
  const formKey = JSON.stringify(filters);
  return (
    <>
      <ProjectHeader project={navigation} />
      <div className="page-heading">
        <h1>Items</h1>
      </div>
      {consensusCount !== null ? (
        <PublishConsensus projectId={navigation.id} count={consensusCount} />
      ) : null}
      <Form method="get" role="search" className="card item-filters" key={formKey}>
        <div className="item-search">
          <label htmlFor="item-search">Search prompts and responses</label>
          <input
            id="item-search"
            name="q"
            type="search"
            maxLength={maxSearchLength}
            defaultValue={filters.q ?? ""}
            placeholder={'whole words; "a phrase", or, -excluded'}
          />
        </div>
        <div className="item-filter-fields">
          <label>
            Status
            <select name="status" defaultValue={filters.status ?? ""}>
              <option value="">All</option>
              {statuses.map((entry) => (
                <option key={entry} value={entry}>
                  {itemStatusLabel(entry)}
                </option>
              ))}
            </select>
          </label>
          {domains.length > 0 ? (
            <label>
              Domain
              <select name="domain" defaultValue={filters.domain ?? ""}>
                <option value="">All</option>
                {domains.map((domain) => (
                  <option key={domain} value={domain}>
                    {domain}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {may.filterByOutcome ? (
            <label>
              Disputed field
              <select name="field" defaultValue={filters.field ?? ""}>
                <option value="">Any</option>
                {fields.map((field) => (
                  <option key={field.id} value={field.id}>
                    {field.label}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {may.filterByAnnotatorAndGold ? (
            <>
              <label>
                Labelled by
                <select name="annotator" defaultValue={filters.annotator ?? ""}>
                  <option value="">Anyone</option>
                  {annotators.map((person) => (
                    <option key={person.id} value={person.id}>
                      {person.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Gold
                <select name="gold" defaultValue={filters.gold ?? ""}>
                  <option value="">Gold or not</option>
                  <option value="true">Gold only</option>
                  <option value="false">No gold</option>
                </select>
              </label>
            </>
          ) : null}
          {may.filterByOutcome ? (
            <>
              <label>
                Imported from
                <input type="date" name="from" defaultValue={filters.from ?? ""} />
              </label>
              <label>
                to
                <input type="date" name="to" defaultValue={filters.to ?? ""} />
              </label>
            </>
          ) : null}
          <label>
            Order
            <select name="sort" defaultValue={filters.sort ?? "id"}>
              {sorts.map((sort) => (
                <option key={sort} value={sort}>
                  {sortLabels[sort]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="item-filter-actions">
          <button type="submit" className="button">
            Search
          </button>
          {filtered ? <Link to="?">Clear</Link> : null}
        </div>
      </Form>
      {problem ? (
        <p role="alert" className="form-alert">
          {problem}
        </p>
      ) : (
        <p className="muted" role="status">
          {total === 1 ? "1 item" : `${total.toLocaleString("en-US")} items`}
          {filtered ? " match" : ""}
        </p>
      )}
      {items.length === 0 ? (
        <div className="card empty-state">
          <p>{filtered ? "No items match." : "No items here yet."}</p>
        </div>
      ) : (
        <div className="card">
          <div className="table-wrap">
            <table className="data-table item-table">
              <caption className="visually-hidden">Items</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Prompt</th>
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
                    <td className="item-preview" dir="auto">
                      {item.preview}
                    </td>
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
            {!firstPage ? <Link to={withFilters({})}>First page</Link> : null}
            {nextCursor !== null ? (
              <Link to={withFilters({ cursor: nextCursor })}>Next page</Link>
            ) : null}
          </nav>
        </div>
      )}
    </>
  );
}
