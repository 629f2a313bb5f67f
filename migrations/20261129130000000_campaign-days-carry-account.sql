-- Up Migration

-- A campaign day carries its campaign's account, and the account rollup adds and
-- subtracts the days' own rows: a delta comes from the changed rows alone, never from
-- a lookup in campaigns at trigger time (whose result depended on what that
-- statement's snapshot saw: a campaign deleted and stored again in one transaction,
-- or written in the same statement as its days, was counted twice).
--
-- The database keeps the copy right: a composite foreign key (campaign_id,
-- account_id) → campaigns (id, account_id) ON UPDATE CASCADE rewrites a moved
-- campaign's days in the same statement (their own triggers then move the sums), and
-- a day whose account_id does not match its campaign cannot commit. Updating
-- campaigns.account_id is now a key update (unique (id, account_id)), so it waits
-- for, and is waited for by, writers checking a day against that campaign: no
-- interleaving of sessions leaves a day on the wrong account.
--
-- Days written without their account (plain SQL, COPY) get it from their campaign,
-- read with FOR KEY SHARE (a concurrent move waits, or is waited for). A day written
-- before its campaign (the foreign keys are deferred) gets it at commit, when its
-- campaign must exist. A campaign with no account has days with none (no account
-- rollup counts them) until it gets one: then a trigger on campaigns gives them theirs.
--
-- Cost: the backfill rewrites every campaign day once (minutes per 10 million rows),
-- with the rollup triggers off (no sum changes), and the new key is validated by one
-- scan; campaigns gets a unique index.

alter table campaigns add constraint campaigns_id_account_id_key unique (id, account_id);
alter table campaign_daily_metrics add column account_id bigint;

alter table campaign_daily_metrics disable trigger user;
update campaign_daily_metrics m set account_id = c.account_id
from campaigns c where c.id = m.campaign_id and c.account_id is not null;
alter table campaign_daily_metrics enable trigger user;

alter table campaign_daily_metrics
    add constraint campaign_daily_metrics_campaign_account_fkey
    foreign key (campaign_id, account_id) references campaigns (id, account_id)
    on update cascade deferrable initially deferred;

create function campaign_daily_metrics_fill_account() returns trigger
language plpgsql as $$
begin
    select c.account_id into new.account_id from campaigns c where c.id = new.campaign_id for key share;
    return new;
end
$$;

-- At commit, a day still without an account takes its campaign's, stored since.
create function campaign_daily_metrics_account_at_commit() returns trigger
language plpgsql as $$
begin
    update campaign_daily_metrics m set account_id = c.account_id
    from campaigns c
    where m.campaign_id = new.campaign_id and m.date = new.date and m.account_id is null
      and c.id = m.campaign_id and c.account_id is not null;
    return null;
end
$$;

create trigger campaign_daily_metrics_fill_account_insert before insert on campaign_daily_metrics
    for each row when (new.account_id is null) execute function campaign_daily_metrics_fill_account();
-- A day moved to another campaign without saying its account takes the new campaign's.
create trigger campaign_daily_metrics_fill_account_update before update on campaign_daily_metrics
    for each row when (new.account_id is null
                       or (new.campaign_id is distinct from old.campaign_id and new.account_id is not distinct from old.account_id))
    execute function campaign_daily_metrics_fill_account();

create constraint trigger campaign_daily_metrics_account_at_commit after insert or update on campaign_daily_metrics
    deferrable initially deferred
    for each row when (new.account_id is null) execute function campaign_daily_metrics_account_at_commit();

-- A campaign that gets its first account gives it to its days (the foreign key does
-- not cover days without an account).
create function campaigns_account_to_days() returns trigger
language plpgsql as $$
begin
    update campaign_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is null and n.account_id is not null
      and m.campaign_id = n.id and m.account_id is null;
    return null;
end
$$;

create trigger campaigns_account_to_days after update on campaigns
    referencing old table as old_rows new table as new_rows for each statement execute function campaigns_account_to_days();

drop trigger campaigns_account_roll_up_insert on campaigns;
drop trigger campaigns_account_roll_up_update on campaigns;
drop function campaigns_account_roll_up();

-- …campaign-week-rollups.sql's function, with the account taken from the rows.
create or replace function campaign_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    part record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where (p.source = 'new_rows' and tg_op in ('INSERT', 'UPDATE'))
           or (p.source = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
    loop
        execute format($sql$
            insert into campaign_monthly_metrics as r
                (campaign_id, month, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, date_trunc('month', date::timestamp)::date,
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, month) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
        execute format($sql$
            insert into campaign_weekly_metrics as r
                (campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, report_week(date),
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, week) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
        execute format($sql$
            insert into account_daily_metrics as r
                (account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select account_id, date,
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            where account_id is not null
            group by 1, 2
            order by 1, 2
            on conflict (account_id, date) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
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

analyze campaign_daily_metrics;

-- Down Migration

drop trigger campaigns_account_to_days on campaigns;
drop function campaigns_account_to_days();
drop trigger campaign_daily_metrics_fill_account_insert on campaign_daily_metrics;
drop trigger campaign_daily_metrics_fill_account_update on campaign_daily_metrics;
drop function campaign_daily_metrics_fill_account();
drop trigger campaign_daily_metrics_account_at_commit on campaign_daily_metrics;
drop function campaign_daily_metrics_account_at_commit();
alter table campaign_daily_metrics drop constraint campaign_daily_metrics_campaign_account_fkey;
alter table campaign_daily_metrics drop column account_id;
alter table campaigns drop constraint campaigns_id_account_id_key;

-- As they were.
create or replace function campaign_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    part record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where (p.source = 'new_rows' and tg_op in ('INSERT', 'UPDATE'))
           or (p.source = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
    loop
        execute format($sql$
            insert into campaign_monthly_metrics as r
                (campaign_id, month, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, date_trunc('month', date)::date,
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, month) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
        execute format($sql$
            insert into campaign_weekly_metrics as r
                (campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, report_week(date),
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, week) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
        execute format($sql$
            insert into account_daily_metrics as r
                (account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select c.account_id, m.date,
                   %1$s * sum(m.impressions), %1$s * sum(m.clicks), %1$s * sum(m.spend),
                   %1$s * sum(m.landing_page_clicks), %1$s * sum(m.conversions), %1$s * sum(m.leads)
            from %2$I m
            join campaigns c on c.id = m.campaign_id
            where c.account_id is not null
            group by 1, 2
            order by 1, 2
            on conflict (account_id, date) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
    end loop;
    return null;
end
$$;

create function campaigns_account_roll_up() returns trigger
language plpgsql as $$
declare
    -- Which campaigns' days move: all new campaigns; updated ones whose account changed.
    moved constant text := case tg_op
        when 'INSERT' then 'true'
        else 'c.id in (select o.id from old_rows o join new_rows n using (id)
                       where o.account_id is distinct from n.account_id)' end;
    part record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where p.source = 'new_rows' or tg_op = 'UPDATE'
    loop
        execute format($sql$
            insert into account_daily_metrics as r
                (account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select c.account_id, m.date,
                   %1$s * sum(m.impressions), %1$s * sum(m.clicks), %1$s * sum(m.spend),
                   %1$s * sum(m.landing_page_clicks), %1$s * sum(m.conversions), %1$s * sum(m.leads)
            from %2$I c
            join campaign_daily_metrics m on m.campaign_id = c.id
            where c.account_id is not null and %3$s
            group by 1, 2
            order by 1, 2
            on conflict (account_id, date) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source, moved);
    end loop;
    return null;
end
$$;

create trigger campaigns_account_roll_up_insert after insert on campaigns
    referencing new table as new_rows for each statement execute function campaigns_account_roll_up();
create trigger campaigns_account_roll_up_update after update on campaigns
    referencing old table as old_rows new table as new_rows for each statement execute function campaigns_account_roll_up();

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
