-- Least privilege for the services and operators that read and write the data:
-- the group role ads_store_app may read and write every table of the schema, but
-- not create, alter or drop anything (schema changes are the migrator's: the role
-- that runs `ads-store migrate up`, usually the schema owner).
--
-- Not a migration: roles belong to the whole cluster, not to one database.
-- Run it as the schema owner (or a superuser) on each database, after
-- `migrate up`; it is idempotent, so run it again after any migration:
--
--   psql "$DATABASE_URL" -f scripts/app-role.sql
--   psql "$DATABASE_URL" -c "create role ads_store_svc login password '…' in role ads_store_app"
--
-- What the write path needs at run time, granted here: temporary tables (its bulk
-- writes stage rows in `CREATE TEMP TABLE … (LIKE public.staged_…)`), the
-- sync_log identity sequence, the rollup tables its triggers maintain, and the
-- functions those triggers call. Advisory locks need no privilege.

do $$
begin
    if not exists (select from pg_roles where rolname = 'ads_store_app') then
        create role ads_store_app nologin;
    end if;
    -- GRANT … ON DATABASE takes a name, not an expression.
    execute format('grant connect, temporary on database %I to ads_store_app', current_database());
end
$$;

grant usage on schema public to ads_store_app;
-- PostgreSQL 14 and older let PUBLIC create in schema public: close that too there
-- (revoke create on schema public from public), as PostgreSQL 15 does by default.
revoke create on schema public from ads_store_app;

grant select, insert, update, delete on all tables in schema public to ads_store_app;
grant usage, select on all sequences in schema public to ads_store_app;
grant execute on all functions in schema public to ads_store_app;
-- The migration history is readable (ads-store migrate status), never writable.
revoke insert, update, delete on pgmigrations from ads_store_app;

-- Tables and sequences the running role creates later (new migrations) get the same.
alter default privileges in schema public grant select, insert, update, delete on tables to ads_store_app;
alter default privileges in schema public grant usage, select on sequences to ads_store_app;
