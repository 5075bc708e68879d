import { useBlocker } from "@remix-run/react";
import { useEffect } from "react";
import { useAskBeforeUnload } from "../../utils/ask-before-unload.ts";

/**
 * While `unsaved` holds, leaving the page asks first: a reload or closing the tab through the
 * browser's own question, a link or the back button within Quorum through `question`. Sending
 * the page's own form is not leaving it: it goes to the page's own address, and the redirect
 * that answers it is never blocked.
 */
export function useLeaveGuard(unsaved: boolean, question: string) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      unsaved && currentLocation.pathname !== nextLocation.pathname,
  );

  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm(question)) blocker.proceed();
    else blocker.reset();
  }, [blocker, question]);

  useAskBeforeUnload(unsaved);
}
