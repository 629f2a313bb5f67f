import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../db/urls.js';

/**
 * Scratch databases on a server: a fresh database per test file or code generation
 * run, so that nothing one of them writes is seen by another.
 */

const SAFE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A new, empty database on the server of `serverUrl`; resolves to its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, (client) =>
    // CREATE DATABASE takes no bind parameters: the name is checked against
    // SAFE_NAME and quoted as an identifier, never taken verbatim from input.
    client.query(`CREATE DATABASE ${client.escapeIdentifier(checked(name))}`),
  );
  return withDatabase(serverUrl, name);
}

/** Drops the database, closing any sessions still connected to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(checked(name))} WITH (FORCE)`),
  );
}

/** A database name that no other run uses: the prefix, then random characters. */
export function uniqueDatabaseName(prefix: string): string {
  const stem = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  return `${stem}_${randomBytes(6).toString('hex')}`;
}

function checked(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`not a safe database name: ${JSON.stringify(name)}`);
  return name;
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // the awaited query reports the failure
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
