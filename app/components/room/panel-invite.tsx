import { Form, useActionData, useNavigation } from "@remix-run/react";

export interface PanelCandidate {
  email: string;
  name: string;
  role: string;
}

/** What the room's action says about the last attempt to add someone to the panel. */
export interface PanelInviteResult {
  panelInvite: { added: string; size: number } | { error: string };
}

/**
 * A lead's control to seat another of the project's annotators or leads on this item's panel:
 * they can then edit the room and vote. Refusals (not a member, the item still blind, not a
 * lead) are the server's, shown as it words them.
 */
export function PanelInvite({ candidates }: { candidates: ReadonlyArray<PanelCandidate> }) {
  const result = useActionData<PanelInviteResult>()?.panelInvite;
  const navigation = useNavigation();
  const adding = navigation.formData?.get("intent") === "add-panel-member";
  return (
    <section className="card stack" aria-labelledby="panel-invite-heading">
      <h2 id="panel-invite-heading" className="section-label">
        Add to the panel
      </h2>
      {candidates.length === 0 ? (
        <p className="muted small">Every annotator and lead of the project is on this panel.</p>
      ) : (
        <Form method="post" className="stack" preventScrollReset>
          <input type="hidden" name="intent" value="add-panel-member" />
          <div className="field">
            <label htmlFor="panel-invite-email">Annotator or lead</label>
            <select id="panel-invite-email" name="email" defaultValue="">
              <option value="" disabled>
                Choose someone
              </option>
              {candidates.map((candidate) => (
                <option key={candidate.email} value={candidate.email}>
                  {candidate.name} ({candidate.role}, {candidate.email})
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button" disabled={adding}>
            {adding ? "Adding…" : "Add to the panel"}
          </button>
        </Form>
      )}
      <div role="status" aria-live="polite">
        {result && "added" in result ? (
          <p className="small">{`${result.added} is on the panel now (${result.size} members).`}</p>
        ) : null}
      </div>
      {result && "error" in result ? (
        <p className="form-alert" role="alert">
          {result.error}
        </p>
      ) : null}
    </section>
  );
}
