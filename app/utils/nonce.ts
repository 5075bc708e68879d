import { createContext, useContext } from "react";

/**
 * The Content-Security-Policy nonce of the request being rendered on the server, for the inline
 * scripts Remix writes into the page. In the browser it is empty: the scripts are already there.
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}
