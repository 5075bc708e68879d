import { sql, type RawBuilder } from "kysely";

/**
 * Whether an endpoint's owner, who created it or last saved it, may still manage the project's
 * webhooks: an account not disabled that leads the project or is a workspace admin. An endpoint
 * sends only while this holds, so that a lead who leaves the project, is made annotator or client,
 * or is disabled stops receiving the project's events at the URL they chose; a lead or an admin
 * who saves the endpoint takes it over and answers for it from then on.
 */
export function ownerMayManage(endpoint: "endpoint" | "webhook_endpoints"): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${endpoint}.${name}`);
  return sql<boolean>`exists (
    select 1 from users owner_account
    where owner_account.id = ${column("created_by")}
      and owner_account.disabled_at is null
      and (owner_account.is_admin or exists (
        select 1 from project_members owner_membership
        where owner_membership.project_id = ${column("project_id")}
          and owner_membership.user_id = owner_account.id
          and owner_membership.role = 'lead')))`;
}
