-- Up Migration

-- The triggers that give days their parent's account when campaigns or creatives are
-- inserted or moved (…days-follow-parents-by-statement.sql) had plans that went
-- stale. PL/pgSQL plans a static query once per session and keeps the plan: the
-- transition tables' sizes of its first call, and the table sizes of then.
--
-- * The moved check joined the statement's old and new rows on id. After a one-row
--   update its plan stayed a nested loop over the two, quadratic in the rows
--   updated; and every statement that writes days updates the parents it names to
--   themselves: a write naming 500 creatives spent 36-72 ms there (a sync's part),
--   5,000 creatives ~1 s (measured), 50,000 would spend minutes. It is now a set
--   difference, which hashes or sorts both sides whatever the estimates: the
--   statement's new (id, account_id) pairs less its old ones are the moved parents.
--   An id can change only while no day refers to it (the days' foreign key), so a
--   pair new by its id alone moves no day.
-- * The updates of the days joined the new rows with the days table, and the planner,
--   with no statistics for a transition table, took each new creative to have
--   hundreds of days: a hash join over a scan of every stored day, for creatives that
--   have none yet (21-93 ms per part of a sync with 400,000 creative days; 70 ms for
--   100 creatives over 300,000 days in psql, 0.2 ms now; seconds at millions). The
--   days are now found through the key's index by the parents' ids as one array
--   (`= any (array(…))`), and each update is planned at its call (EXECUTE, ~0.1 ms):
--   a plan made while the days table was empty would otherwise stay a scan of it.

create or replace function campaigns_account_to_days() returns trigger
language plpgsql as $$
begin
    if not exists (select from new_rows) then
        return null;
    end if;
    execute 'update campaign_daily_metrics m set account_id = n.account_id
             from new_rows n
             where m.campaign_id = any (array(select id from new_rows))
               and m.campaign_id = n.id and m.account_id is distinct from n.account_id';
    return null;
end
$$;

create or replace function campaigns_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    -- Most updates move nothing (a day writer's update of its campaigns to themselves among them).
    if not exists (select id, account_id from new_rows except select id, account_id from old_rows) then
        return null;
    end if;
    execute 'with moved as (select id, account_id from new_rows except select id, account_id from old_rows)
             update campaign_daily_metrics m set account_id = n.account_id
             from moved n
             where m.campaign_id = any (array(select id from moved))
               and m.campaign_id = n.id and m.account_id is distinct from n.account_id';
    return null;
end
$$;

create or replace function creatives_account_to_days() returns trigger
language plpgsql as $$
begin
    if not exists (select from new_rows) then
        return null;
    end if;
    execute 'update creative_daily_metrics m set account_id = n.account_id
             from new_rows n
             where m.creative_id = any (array(select id from new_rows))
               and m.creative_id = n.id and m.account_id is distinct from n.account_id';
    return null;
end
$$;

create or replace function creatives_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    -- Most updates move nothing (a day writer's update of its creatives to themselves among them).
    if not exists (select id, account_id from new_rows except select id, account_id from old_rows) then
        return null;
    end if;
    execute 'with moved as (select id, account_id from new_rows except select id, account_id from old_rows)
             update creative_daily_metrics m set account_id = n.account_id
             from moved n
             where m.creative_id = any (array(select id from moved))
               and m.creative_id = n.id and m.account_id is distinct from n.account_id';
    return null;
end
$$;

-- Their search_path, as …pin-function-search-path.sql sets every function's.
do $$
begin
    execute format('alter function campaigns_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function campaigns_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creatives_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creatives_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
end $$;

-- Down Migration

create or replace function campaigns_account_to_days() returns trigger
language plpgsql as $$
begin
    if not exists (select from new_rows) then
        return null;
    end if;
    update campaign_daily_metrics m set account_id = n.account_id
    from new_rows n
    where m.campaign_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create or replace function campaigns_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    if not (select coalesce(bool_or(o.account_id is distinct from n.account_id), false)
            from old_rows o join new_rows n using (id)) then
        return null;
    end if;
    update campaign_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is distinct from n.account_id
      and m.campaign_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create or replace function creatives_account_to_days() returns trigger
language plpgsql as $$
begin
    if not exists (select from new_rows) then
        return null;
    end if;
    update creative_daily_metrics m set account_id = n.account_id
    from new_rows n
    where m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create or replace function creatives_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    if not (select coalesce(bool_or(o.account_id is distinct from n.account_id), false)
            from old_rows o join new_rows n using (id)) then
        return null;
    end if;
    update creative_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is distinct from n.account_id
      and m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

do $$
begin
    execute format('alter function campaigns_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function campaigns_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creatives_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creatives_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
end $$;
