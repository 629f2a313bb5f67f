import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * The source tree's layers, read from its imports (static and lazy): no module
 * imports itself through others, the run-time layer (src/db/) never reaches
 * the provisioning of servers (src/provision/), which only the CLI, tests and
 * scripts use, and a parse worker loads no database client.
 */
const Layers = suite('layers');

const SRC = path.resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

/** Each source file's project imports, as files. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)].map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`));
    graph.set(file, targets.filter((target) => target.startsWith(SRC)));
  }
  return graph;
}

const relative = (file: string) => path.relative(SRC, file);

Layers('no import circle anywhere in src/', () => {
  const graph = importGraph();
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push([...trail.slice(trail.indexOf(next)), next].map(relative).join(' → '));
      else if (!state.has(next)) visit(next, [...trail, next]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  assert.equal(circles, []);
});

Layers('the run-time layer (src/db/) does not import the provisioning (src/provision/)', () => {
  const reaching = [...importGraph()]
    .filter(([file, targets]) => relative(file).startsWith(`db${path.sep}`) && targets.some((t) => relative(t).startsWith(`provision${path.sep}`)))
    .map(([file]) => relative(file));
  assert.equal(reaching, []);
});

/** Every file reachable from `start` (itself included) by the imports `next` gives. */
function reachable(start: string, next: (file: string) => string[]): string[] {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const target of next(file)) walk(target);
  };
  walk(start);
  return [...seen];
}

Layers('the library entry point does not load the provisioning either', () => {
  const graph = importGraph();
  const seen = reachable(path.join(SRC, 'index.ts'), (file) => graph.get(file) ?? []);
  assert.equal(seen.map(relative).filter((file) => file.startsWith(`provision${path.sep}`)), []);
});

/** As importGraph(), run-time imports only (type-only ones are erased), with each file's package imports. */
function runtimeImports(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8').replace(/(?:import|export)\s+type\s[^;]*?from\s*'[^']+';/g, '');
    const specifiers = [...text.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
    graph.set(file, {
      files: specifiers.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts'))),
      packages: specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:')),
    });
  }
  return graph;
}

Layers('a parse worker loads the mapping and the COPY encoding, not the database client or the generated queries', () => {
  // Each worker loads its own copy of every module it reaches: through the entity
  // modules it reached the generated queries and node-postgres (146 modules, 19 MB of
  // RSS a worker; 6 modules and 9.6 MB without).
  const graph = runtimeImports();
  const seen = reachable(path.join(SRC, 'ingest', 'parse-worker.ts'), (file) => graph.get(file)?.files ?? []);
  assert.equal(seen.map(relative).filter((file) => file.startsWith(`generated${path.sep}`) || file.startsWith(`db${path.sep}`) && file !== path.join('db', 'copy.ts')), []);
  const packages = seen.flatMap((file) => graph.get(file)?.packages ?? []);
  assert.equal(packages.filter((name) => name !== 'pg-copy-streams'), []);
});

Layers.run();
