-- Up Migration

-- Rollups for the reports: sums of the daily tables per account and day, and per
-- campaign and per creative and calendar month. A report over a range reads whole
-- months from the monthly rollups and only the days at the range's edges from the
-- daily tables (PostgreSQL 15, 10 million creative-days: see README).
--
-- They are derived data, kept exact by statement-level triggers on the daily tables:
-- every write adds its inserted rows, subtracts its deleted ones and, for updates,
-- both, in one set-based statement per rollup, so any writer (the ingest, COPY,
-- plain SQL) keeps them right, and a write that changes nothing adds nothing.
-- Campaigns' account changes and campaigns stored after their days are carried over
-- by triggers on campaigns. No foreign keys: nothing is ever written to these by hand.

create table account_daily_metrics (
    account_id           bigint not null,
    date                 date not null,
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    leads                bigint not null default 0,
    primary key (account_id, date)
);

create table campaign_monthly_metrics (
    campaign_id          bigint not null,
    month                date not null,   -- the month's first day
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    leads                bigint not null default 0,
    primary key (campaign_id, month)
);

create table creative_monthly_metrics (
    creative_id          text not null,
    month                date not null,
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    leads                bigint not null default 0,
    primary key (creative_id, month)
);

-- The trigger functions add the rows of a transition table, times a sign: +1 for
-- new_rows (insert, update), -1 for old_rows (update, delete). EXECUTE with
-- format() takes only these two constant names and signs, never data.

create function campaign_daily_metrics_roll_up() returns trigger
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

create function creative_daily_metrics_roll_up() returns trigger
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
            insert into creative_monthly_metrics as r
                (creative_id, month, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select creative_id, date_trunc('month', date)::date,
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (creative_id, month) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
    end loop;
    return null;
end
$$;

-- A campaign's days count for its account: when a campaign is stored after its days
-- (deferred foreign keys allow it) or moves to another account, its days move with it.
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

create function daily_metrics_truncate_roll_ups() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'campaign_daily_metrics' then
        truncate campaign_monthly_metrics, account_daily_metrics;
    else
        truncate creative_monthly_metrics;
    end if;
    return null;
end
$$;

create trigger campaign_daily_metrics_roll_up_insert after insert on campaign_daily_metrics
    referencing new table as new_rows for each statement execute function campaign_daily_metrics_roll_up();
create trigger campaign_daily_metrics_roll_up_update after update on campaign_daily_metrics
    referencing old table as old_rows new table as new_rows for each statement execute function campaign_daily_metrics_roll_up();
create trigger campaign_daily_metrics_roll_up_delete after delete on campaign_daily_metrics
    referencing old table as old_rows for each statement execute function campaign_daily_metrics_roll_up();
create trigger campaign_daily_metrics_roll_up_truncate after truncate on campaign_daily_metrics
    for each statement execute function daily_metrics_truncate_roll_ups();

create trigger creative_daily_metrics_roll_up_insert after insert on creative_daily_metrics
    referencing new table as new_rows for each statement execute function creative_daily_metrics_roll_up();
create trigger creative_daily_metrics_roll_up_update after update on creative_daily_metrics
    referencing old table as old_rows new table as new_rows for each statement execute function creative_daily_metrics_roll_up();
create trigger creative_daily_metrics_roll_up_delete after delete on creative_daily_metrics
    referencing old table as old_rows for each statement execute function creative_daily_metrics_roll_up();
create trigger creative_daily_metrics_roll_up_truncate after truncate on creative_daily_metrics
    for each statement execute function daily_metrics_truncate_roll_ups();

create trigger campaigns_account_roll_up_insert after insert on campaigns
    referencing new table as new_rows for each statement execute function campaigns_account_roll_up();
create trigger campaigns_account_roll_up_update after update on campaigns
    referencing old table as old_rows new table as new_rows for each statement execute function campaigns_account_roll_up();

-- The rollups of what is stored already (a plain CREATE TABLE … and INSERT: the
-- daily tables are only read, so writers are not blocked beyond this transaction).
insert into campaign_monthly_metrics
select campaign_id, date_trunc('month', date)::date, sum(impressions), sum(clicks), sum(spend),
       sum(landing_page_clicks), sum(conversions), sum(leads)
from campaign_daily_metrics group by 1, 2;

insert into account_daily_metrics
select c.account_id, m.date, sum(m.impressions), sum(m.clicks), sum(m.spend),
       sum(m.landing_page_clicks), sum(m.conversions), sum(m.leads)
from campaign_daily_metrics m join campaigns c on c.id = m.campaign_id
where c.account_id is not null
group by 1, 2;

insert into creative_monthly_metrics
select creative_id, date_trunc('month', date)::date, sum(impressions), sum(clicks), sum(spend),
       sum(landing_page_clicks), sum(conversions), sum(leads)
from creative_daily_metrics group by 1, 2;

-- Statistics now, so the reports' plans do not wait for autovacuum to find the new tables.
analyze account_daily_metrics;
analyze campaign_monthly_metrics;
analyze creative_monthly_metrics;

-- Down Migration

drop trigger campaigns_account_roll_up_update on campaigns;
drop trigger campaigns_account_roll_up_insert on campaigns;
drop trigger creative_daily_metrics_roll_up_truncate on creative_daily_metrics;
drop trigger creative_daily_metrics_roll_up_delete on creative_daily_metrics;
drop trigger creative_daily_metrics_roll_up_update on creative_daily_metrics;
drop trigger creative_daily_metrics_roll_up_insert on creative_daily_metrics;
drop trigger campaign_daily_metrics_roll_up_truncate on campaign_daily_metrics;
drop trigger campaign_daily_metrics_roll_up_delete on campaign_daily_metrics;
drop trigger campaign_daily_metrics_roll_up_update on campaign_daily_metrics;
drop trigger campaign_daily_metrics_roll_up_insert on campaign_daily_metrics;
drop function daily_metrics_truncate_roll_ups();
drop function campaigns_account_roll_up();
drop function creative_daily_metrics_roll_up();
drop function campaign_daily_metrics_roll_up();
drop table creative_monthly_metrics;
drop table campaign_monthly_metrics;
drop table account_daily_metrics;
