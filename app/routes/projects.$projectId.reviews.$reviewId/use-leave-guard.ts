import { useBlocker } from "@remix-run/react";
import { useEffect } from "react";

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

  useEffect(() => {
    if (!unsaved) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when a return value is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [unsaved]);
}
