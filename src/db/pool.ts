import pg from 'pg';
import { typeParsers } from './types.js';

export interface PoolOptions {
  /** Connections at most (pg's default is 10). */
  max?: number | undefined;
  /** Fail a statement the server has run this long (ms); 0 disables. Default 60 s. */
  statementTimeoutMs?: number | undefined;
  /** Fail waiting for a free connection after this long (ms). Default 10 s. */
  connectionTimeoutMs?: number | undefined;
  /** Reports errors of idle clients (default: written to stderr). */
  onIdleError?: ((error: Error) => void) | undefined;
  /** application_name the server shows in pg_stat_activity. */
  applicationName?: string | undefined;
  /** temp_buffers of each session (default '128MB'): the staging tables of bulk writes live there. */
  tempBuffers?: string | undefined;
}

/**
 * Dates as text in ISO form, whatever the database's DateStyle: the type parsers read
 * them so (a date stays 'YYYY-MM-DD'), as node-postgres reads timestamps. A database
 * set to 'SQL, DMY' otherwise turned report dates into '02/11/2018' and migration
 * times into nothing. A startup option, so that every session of the pool has it.
 */
export const ISO_DATES = '-c datestyle=ISO,YMD';

/**
 * A pg.Pool with this library's type parsers and timeouts. An idle client's error
 * (its server went away) is reported, not thrown: unhandled, it would crash the process.
 */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? 60_000;
  const pool = new pg.Pool({
    connectionString,
    types: typeParsers,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    // The server enforces statement_timeout; query_timeout is the client's backstop
    // for a server that stops answering altogether.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout === 0 ? undefined : statementTimeout + 5_000,
    application_name: options.applicationName ?? 'linkedin-ads-store',
    // Bulk writes stage rows in temporary tables, which live in temp_buffers; at the
    // default 8 MB, deleting 500,000 unchanged staged rows took 2.5 s instead of 0.6 s
    // (PostgreSQL 15, measured). The memory is taken only when temporary tables use it,
    // and temp_buffers can only be set before a session first touches one: hence here.
    options: `-c temp_buffers=${options.tempBuffers ?? '128MB'} ${ISO_DATES}`,
  });
  const onIdleError =
    options.onIdleError ?? ((error: Error) => process.stderr.write(`database connection lost: ${error.message}\n`));
  pool.on('error', onIdleError);
  // A checked-out client has no pool listener: its lost connection surfaces as the
  // rejection of its current or next query, and the event alone must not crash the
  // process (the server stopped, the backend was terminated).
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
