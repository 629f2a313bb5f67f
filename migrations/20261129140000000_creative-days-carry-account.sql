-- Up Migration

-- Creative days and their rollups, as …campaign-days-carry-account.sql did for the
-- campaigns: a creative day's account_id is its creative's, kept by the database, and
-- the creative rollups take the account from the changed rows alone (their sums were
-- keyed by creative already; the account they are read by came from a lookup at
-- trigger time, and a day re-keyed to another creative kept its old account).
--
-- A composite foreign key (creative_id, account_id) → creatives (id, account_id) ON
-- UPDATE CASCADE, over a unique (id, account_id), rewrites a moved creative's days in
-- the same statement and refuses a day on another account at commit; days written
-- without their account get it FOR KEY SHARE (or at commit, when written before their
-- creative); a creative that gets its first account gives it to its days. The
-- trigger that moved rollup rows with their creative, and the statement that filled
-- days after the fact, go.
--
-- Cost: the foreign key is validated by one scan of creative_daily_metrics; creatives
-- gets a unique index. account_id was kept equal to the creative's already, so no row
-- is rewritten.

alter table creatives add constraint creatives_id_account_id_key unique (id, account_id);

-- Days whose creative's account moved on without them (a re-keyed day) take it now;
-- the update trigger moves their sums to where they belong.
update creative_daily_metrics m set account_id = c.account_id
from creatives c where c.id = m.creative_id and m.account_id is distinct from c.account_id;

alter table creative_daily_metrics
    add constraint creative_daily_metrics_creative_account_fkey
    foreign key (creative_id, account_id) references creatives (id, account_id)
    on update cascade deferrable initially deferred;

drop trigger creative_daily_metrics_fill_account on creative_daily_metrics;
drop function creative_daily_metrics_fill_account();
drop trigger creatives_account_to_rollups_insert on creatives;
drop trigger creatives_account_to_rollups_update on creatives;
drop function creatives_account_to_rollups();

create function creative_daily_metrics_fill_account() returns trigger
language plpgsql as $$
begin
    select c.account_id into new.account_id from creatives c where c.id = new.creative_id for key share;
    return new;
end
$$;

create trigger creative_daily_metrics_fill_account_insert before insert on creative_daily_metrics
    for each row when (new.account_id is null) execute function creative_daily_metrics_fill_account();
-- A day moved to another creative without saying its account takes the new creative's.
create trigger creative_daily_metrics_fill_account_update before update on creative_daily_metrics
    for each row when (new.account_id is null
                       or (new.creative_id is distinct from old.creative_id and new.account_id is not distinct from old.account_id))
    execute function creative_daily_metrics_fill_account();

-- At commit, a day still without an account takes its creative's, stored since.
create function creative_daily_metrics_account_at_commit() returns trigger
language plpgsql as $$
begin
    update creative_daily_metrics m set account_id = c.account_id
    from creatives c
    where m.creative_id = new.creative_id and m.date = new.date and m.account_id is null
      and c.id = m.creative_id and c.account_id is not null;
    return null;
end
$$;

create constraint trigger creative_daily_metrics_account_at_commit after insert or update on creative_daily_metrics
    deferrable initially deferred
    for each row when (new.account_id is null) execute function creative_daily_metrics_account_at_commit();

-- A creative that gets its first account gives it to its days (the foreign key does
-- not cover days without an account).
create function creatives_account_to_days() returns trigger
language plpgsql as $$
begin
    update creative_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is null and n.account_id is not null
      and m.creative_id = n.id and m.account_id is null;
    return null;
end
$$;

create trigger creatives_account_to_days after update on creatives
    referencing old table as old_rows new table as new_rows for each statement execute function creatives_account_to_days();

-- …create-week-rollups.sql's function, with the account taken from the rows.
create or replace function creative_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    part record;
    grain record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where (p.source = 'new_rows' and tg_op in ('INSERT', 'UPDATE'))
           or (p.source = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
    loop
        -- Added rows say the creative's account; subtracted ones leave the row's as it is.
        for grain in
            select * from (values ('creative_monthly_metrics', 'month', $e$date_trunc('month', m.date::timestamp)::date$e$),
                                  ('creative_weekly_metrics', 'week', 'report_week(m.date)')) as g (rollup, bucket, expression)
        loop
            execute format($sql$
                insert into %3$I as r
                    (creative_id, %4$I, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads)
                select m.creative_id, %5$s, min(m.account_id),
                       %1$s * sum(m.impressions), %1$s * sum(m.clicks), %1$s * sum(m.spend),
                       %1$s * sum(m.landing_page_clicks), %1$s * sum(m.conversions), %1$s * sum(m.leads)
                from %2$I m
                group by 1, 2
                order by 1, 2
                on conflict (creative_id, %4$I) do update
                set account_id = %6$s,
                    impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                    spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                    conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
            $sql$, part.sign, part.source, grain.rollup, grain.bucket, grain.expression,
               case when part.sign > 0 then 'excluded.account_id' else 'r.account_id' end);
        end loop;
    end loop;
    return null;
end
$$;

-- The search_path of every function, as …pin-function-search-path.sql sets it.
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

drop trigger creatives_account_to_days on creatives;
drop function creatives_account_to_days();
drop trigger creative_daily_metrics_account_at_commit on creative_daily_metrics;
drop function creative_daily_metrics_account_at_commit();
drop trigger creative_daily_metrics_fill_account_insert on creative_daily_metrics;
drop trigger creative_daily_metrics_fill_account_update on creative_daily_metrics;
drop function creative_daily_metrics_fill_account();
alter table creative_daily_metrics drop constraint creative_daily_metrics_creative_account_fkey;
alter table creatives drop constraint creatives_id_account_id_key;

-- As they were.
create or replace function creative_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    part record;
    grain record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where (p.source = 'new_rows' and tg_op in ('INSERT', 'UPDATE'))
           or (p.source = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
    loop
        for grain in
            select * from (values ('creative_monthly_metrics', 'month', $e$date_trunc('month', m.date::timestamp)::date$e$),
                                  ('creative_weekly_metrics', 'week', 'report_week(m.date)')) as g (rollup, bucket, expression)
        loop
            execute format($sql$
                insert into %3$I as r
                    (creative_id, %4$I, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads)
                select m.creative_id, %5$s, min(c.account_id),
                       %1$s * sum(m.impressions), %1$s * sum(m.clicks), %1$s * sum(m.spend),
                       %1$s * sum(m.landing_page_clicks), %1$s * sum(m.conversions), %1$s * sum(m.leads)
                from %2$I m
                left join creatives c on c.id = m.creative_id
                group by 1, 2
                order by 1, 2
                on conflict (creative_id, %4$I) do update
                set account_id = excluded.account_id,
                    impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                    spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                    conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
            $sql$, part.sign, part.source, grain.rollup, grain.bucket, grain.expression);
        end loop;
    end loop;
    return null;
end
$$;

create function creative_daily_metrics_fill_account() returns trigger
language plpgsql as $$
begin
    update creative_daily_metrics m set account_id = c.account_id
    from new_rows n
    join creatives c on c.id = n.creative_id
    where n.account_id is null and c.account_id is not null
      and m.creative_id = n.creative_id and m.date = n.date;
    return null;
end
$$;

create trigger creative_daily_metrics_fill_account after insert on creative_daily_metrics
    referencing new table as new_rows for each statement execute function creative_daily_metrics_fill_account();

create or replace function creatives_account_to_rollups() returns trigger
language plpgsql as $$
begin
    update creative_monthly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    update creative_weekly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    update creative_daily_metrics m set account_id = n.account_id
    from new_rows n where m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create trigger creatives_account_to_rollups_insert after insert on creatives
    referencing new table as new_rows for each statement execute function creatives_account_to_rollups();
create trigger creatives_account_to_rollups_update after update on creatives
    referencing new table as new_rows for each statement execute function creatives_account_to_rollups();

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
