-- Up Migration

-- Every PL/pgSQL function of this schema (the rollup triggers) finds its tables and
-- report_week() in the schema the migrations ran in, whatever the search_path of the
-- session whose write fires it: a restore runs with an empty search_path, a role may
-- set its own. pg_temp comes last, so a temporary table can never stand in for a
-- rollup. (report_week(), plain SQL calling only pg_catalog functions, needs nothing:
-- pg_catalog is always searched first, and a SET clause would stop its inlining.)
-- A later migration that replaces one of these functions must say SET search_path
-- again: test/migrations.test.ts checks every one.
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
        from pg_proc p join pg_language l on l.oid = p.prolang
        where p.pronamespace = current_schema()::regnamespace and l.lanname = 'plpgsql'
    loop
        execute format('alter function %s set search_path = %I, pg_temp', f, current_schema());
    end loop;
end $$;

-- Down Migration

do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
        from pg_proc p join pg_language l on l.oid = p.prolang
        where p.pronamespace = current_schema()::regnamespace and l.lanname = 'plpgsql'
    loop
        execute format('alter function %s reset search_path', f);
    end loop;
end $$;
