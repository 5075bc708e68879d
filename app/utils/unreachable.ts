/**
 * What a page's `clientAction` returns when its request never reached Quorum (no connection, the
 * server down or restarting), instead of throwing: a thrown error replaces the page with the
 * error page, and with it the work on the page. Nothing changed on the server, so nothing needs
 * revalidating either, which would fail the same way (see `wasUnreachable`).
 */
export interface Unreachable {
  unreachable: true;
}

/** `fetch` rejects with a TypeError, and only then, when no response came back at all. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError;
}

export function wasUnreachable(actionResult: unknown): actionResult is Unreachable {
  return (
    typeof actionResult === "object" &&
    actionResult !== null &&
    "unreachable" in actionResult &&
    actionResult.unreachable === true
  );
}

/** Runs a route's server action from its `clientAction`, answering a network failure in kind. */
export async function reachServerAction<Result>(
  serverAction: () => Promise<Result>,
): Promise<Result | Unreachable> {
  try {
    return await serverAction();
  } catch (error) {
    if (isNetworkFailure(error)) return { unreachable: true };
    throw error;
  }
}
