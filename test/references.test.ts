import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { REFERENCE_KINDS } from '../src/store/references.js';

/** The reference kinds the SQL reports are exactly the one list of them (src/store/references.ts). */
const References = suite('references');

References('sql/staged_checks.sql reports exactly the kinds of src/store/references.ts', () => {
  const sql = readFileSync('sql/staged_checks.sql', 'utf8');
  const reported = new Set([...sql.matchAll(/'([a-z_]+\.[a-z_]+)' as reference/g)].map((m) => m[1]!));
  const named = new Set([...sql.matchAll(/'([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]!));
  assert.ok(reported.size > 0, 'the checks name their kinds');
  assert.equal([...named].sort(), [...REFERENCE_KINDS].sort());
});

References.run();
