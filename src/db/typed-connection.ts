import type pg from 'pg';
import { isPool, type Queryable } from './queryable.js';
import { parseInt8, typeParsers } from './types.js';

/**
 * The connection a service hands in, made to parse what this library reads with
 * typeParsers (src/db/types.ts), as the library's own types declare.
 *
 * A service's own pg.Pool parses with pg's defaults: bigint as a string, date as a
 * local-midnight Date. Read through it, the library's results broke their declared
 * types (writeBatch's counts came back as strings), and a first load's days were
 * copied without their account (a campaign id read back as text found no account),
 * which the rollup trigger then rewrote row by row: 500,000 campaign days took
 * 9.0-11.1 s to copy instead of 3.2-3.7 s (measured).
 *
 * A pool from createPool, and its clients, already parse this way and are returned
 * as they are. Any other pool or client is wrapped: its query() adds typeParsers to
 * each statement that names no `types` of its own (pg's per-query option); a stream
 * (a COPY) and the callback forms pass as they are; connect() wraps the client it
 * gives. Everything else is the connection's own. Only the library's statements go
 * through the wrapper: the service's pool keeps pg's defaults for its own.
 */
export function typedConnection<Db extends Queryable>(db: Db): Db {
  if (wrapped.has(db) || parsesWithTypeParsers(db)) return db;
  const proxy = new Proxy(db, {
    get(target, property) {
      if (property === 'query') return typedQuery(target);
      if (property === 'connect' && isPool(target)) return typedConnect(target);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  wrapped.add(proxy);
  return proxy;
}

const wrapped = new WeakSet<object>();

/** True for a pool made with typeParsers (createPool's) and the clients of one. */
function parsesWithTypeParsers(db: Queryable): boolean {
  if (isPool(db)) return db.options.types === typeParsers;
  // Anything else that runs statements (pgtyped asks only for query()) is wrapped.
  return typeof db.getTypeParser === 'function' && db.getTypeParser(20, 'text') === parseInt8;
}

type QueryArguments = [first: unknown, values?: unknown, callback?: unknown];

function typedQuery(target: Queryable) {
  const query = target.query.bind(target) as (...args: QueryArguments) => unknown;
  return (...args: QueryArguments): unknown => {
    const [first, values, callback] = args;
    if (callback !== undefined || typeof values === 'function') return query(...args);
    if (typeof first === 'string') return query({ text: first, values, types: typeParsers });
    if (typeof first === 'object' && first !== null && !isSubmittable(first) && !('types' in first && first.types)) {
      return query({ ...first, types: typeParsers }, values);
    }
    return query(...args);
  };
}

function isSubmittable(config: object): boolean {
  return typeof (config as { submit?: unknown }).submit === 'function';
}

function typedConnect(pool: pg.Pool) {
  return (callback?: unknown): unknown => {
    if (callback !== undefined) return (pool.connect as (...args: unknown[]) => unknown)(callback);
    return pool.connect().then((client) => typedConnection(client));
  };
}
