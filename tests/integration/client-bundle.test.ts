import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

/*
 * Reads the production build that the global setup makes. The markdown renderer's libraries are
 * most of the client's code, so only the pages that render item content may load them; see
 * docs/decisions/009-client-bundle.md.
 */
const clientDirectory = path.resolve(import.meta.dirname, "../../build/client");

/**
 * The routes that render markdown: prompts and responses, and the project's guidelines; their
 * child routes load them too.
 */
const contentRoutes = [
  "routes/projects.$projectId.label",
  "routes/projects.$projectId.label_.previous",
  "routes/projects.$projectId.guidelines",
  "routes/projects.$projectId.items.$itemId",
  "routes/projects.$projectId.reviews.$reviewId",
  "routes/items.$itemId.room",
  "routes/reviews.$annotationId.room",
];

/** Strings that survive minification, one for each library, found in no other code. */
const heavyLibraries: Record<string, string> = {
  katex: "KaTeX parse error",
  "highlight.js": "Could not find the language",
  unified: "` without `parser`",
  "remark-parse (micromark)": "micromarkExtensions",
};

interface ManifestRoute {
  parentId?: string;
  module: string;
  imports?: string[];
}

interface RemixManifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, ManifestRoute>;
}

function readManifest(): RemixManifest {
  const assets = path.join(clientDirectory, "assets");
  const files = readdirSync(assets).filter((file) => /^manifest-[\w-]+\.js$/.test(file));
  expect(files, "exactly one Remix manifest in build/client/assets").toHaveLength(1);
  const source = readFileSync(path.join(assets, files[0]), "utf8");
  return JSON.parse(
    source.slice(source.indexOf("{"), source.lastIndexOf("}") + 1),
  ) as RemixManifest;
}

function ancestry(manifest: RemixManifest, routeId: string): string[] {
  const chain: string[] = [];
  for (let id: string | undefined = routeId; id; id = manifest.routes[id]?.parentId) {
    chain.unshift(id);
  }
  return chain;
}

/** Every script a first visit to the route loads: the entry's, then each matched route's. */
function scriptsOf(manifest: RemixManifest, routeId: string): string[] {
  const scripts = new Set([manifest.entry.module, ...manifest.entry.imports]);
  for (const id of ancestry(manifest, routeId)) {
    const route = manifest.routes[id];
    scripts.add(route.module);
    for (const imported of route.imports ?? []) scripts.add(imported);
  }
  return [...scripts];
}

describe("client bundle", () => {
  let manifest: RemixManifest;
  const sources = new Map<string, string>();

  function librariesIn(scripts: string[]): string[] {
    return Object.entries(heavyLibraries)
      .filter(([, marker]) =>
        scripts.some((script) => {
          let source = sources.get(script);
          if (source === undefined) {
            source = readFileSync(path.join(clientDirectory, script), "utf8");
            sources.set(script, source);
          }
          return source.includes(marker);
        }),
      )
      .map(([library]) => library);
  }

  beforeAll(() => {
    manifest = readManifest();
  });

  it("knows every route that renders item content", () => {
    expect(contentRoutes.filter((id) => !manifest.routes[id])).toEqual([]);
  });

  it("loads the markdown libraries on the pages that render item content", () => {
    for (const id of contentRoutes) {
      expect(librariesIn(scriptsOf(manifest, id)), id).toEqual(Object.keys(heavyLibraries));
    }
  });

  it("keeps them out of the scripts every page loads and out of every other page", () => {
    expect(librariesIn(scriptsOf(manifest, "root")), "entry and root").toEqual([]);
    expect(librariesIn(scriptsOf(manifest, "routes/login")), "routes/login").toEqual([]);
    const others = Object.keys(manifest.routes).filter((id) =>
      ancestry(manifest, id).every((ancestor) => !contentRoutes.includes(ancestor)),
    );
    expect(others.length).toBeGreaterThan(10);
    const offenders = others
      .map((id) => ({ id, libraries: librariesIn(scriptsOf(manifest, id)) }))
      .filter(({ libraries }) => libraries.length > 0);
    expect(offenders).toEqual([]);
  });
});
