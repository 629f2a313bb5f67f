import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * The source tree's layers, read from its imports (static and lazy): no module
 * imports itself through others, and the run-time layer (src/db/) never reaches
 * the provisioning of servers (src/provision/), which only the CLI, tests and
 * scripts use.
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

Layers('the library entry point does not load the provisioning either', () => {
  const graph = importGraph();
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of graph.get(file) ?? []) walk(next);
  };
  walk(path.join(SRC, 'index.ts'));
  assert.equal([...seen].map(relative).filter((file) => file.startsWith(`provision${path.sep}`)), []);
});

Layers.run();
