import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

/**
 * KaTeX gets a chunk of its own, which keeps the chunk of the markdown renderer under Vite's size
 * warning. Only the pages that render item content load either; see
 * docs/decisions/009-client-bundle.md for why no other library is split off this way.
 */
function manualChunks(id: string): string | undefined {
  return /\/node_modules\/katex\/[^?]*\.m?js$/.test(id) ? "katex" : undefined;
}

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        v3_routeConfig: true,
      },
    }),
  ],
  build: isSsrBuild ? {} : { rollupOptions: { output: { manualChunks } } },
  resolve: {
    alias: { "~": new URL("./app", import.meta.url).pathname },
  },
  server: { hmr: { port: Number(process.env.HMR_PORT ?? 24678) } },
  // Route modules import server code for their loaders and actions, which the client build drops;
  // the dev server's dependency scan still follows those imports, and argon2's browser entry names
  // a WebAssembly package that is not installed.
  optimizeDeps: { exclude: ["@node-rs/argon2"] },
}));
