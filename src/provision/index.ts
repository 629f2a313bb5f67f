/**
 * Where a database comes from: DATABASE_URL, else a Testcontainers PostgreSQL, else
 * the embedded server (leases, pid files, pg_ctl). For the CLI, tests and scripts,
 * and for a service that wants the same choice: `linkedin-ads-store/provision`.
 * The run-time layer (src/db/) never imports this.
 */
export { provideServer, type DatabaseServer, type ProvideServerOptions, type ServerSource } from './server.js';
export { createDatabase, dropDatabase, uniqueDatabaseName } from './databases.js';
