-- Up Migration

-- A campaign or creative update's trigger told whether any account changed by
-- joining the statement's old and new rows on id. PL/pgSQL plans a query without
-- parameters once per session, with the transition tables' sizes at its first call:
-- after a one-row update the plan stayed a nested loop over the two tables,
-- quadratic in the rows updated. And every statement that writes days updates the
-- parents it names to themselves (…days-follow-parents-by-statement.sql): a write
-- naming 500 creatives spent 36-72 ms here (a sync's part), one naming 5,000 ~1 s,
-- 50,000 would spend minutes. A set difference is never planned as a nested loop
-- (it hashes or sorts both sides): the rows whose (id, account_id) pair is new are
-- the moved ones. An id can change only while no day refers to it (the days'
-- foreign key), so a pair that is new by its id alone moves no day.

create or replace function campaigns_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    -- Most updates move nothing (a day writer's update of its campaigns to themselves among them).
    if not exists (select id, account_id from new_rows except select id, account_id from old_rows) then
        return null;
    end if;
    update campaign_daily_metrics m set account_id = n.account_id
    from (select id, account_id from new_rows except select id, account_id from old_rows) n
    where m.campaign_id = n.id and m.account_id is distinct from n.account_id;
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
    update creative_daily_metrics m set account_id = n.account_id
    from (select id, account_id from new_rows except select id, account_id from old_rows) n
    where m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

-- Their search_path, as …pin-function-search-path.sql sets every function's.
do $$
begin
    execute format('alter function campaigns_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creatives_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
end $$;

-- Down Migration

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
    execute format('alter function campaigns_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creatives_moved_account_to_days() set search_path = %I, pg_temp', current_schema());
end $$;
