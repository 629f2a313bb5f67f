-- Up Migration

-- Week rollups, and rollups of the demographics, for the reports whose ranges'
-- edge days cost the most: the creatives report (thousands of creatives per
-- account, one index range per creative and part) and the demographics report
-- (hundreds of segments per pivot and period when periods are days).
--
-- A report range is split into whole months (the monthly rollups), then, in the
-- partial months at its ends, whole weeks (the weekly rollups), and only the
-- remaining days, at most six at each end, come from the daily rows.
-- A "week" here is a calendar week (Monday first) clipped to its month, so that
-- every month is a whole number of weeks: 2025-09-29..2025-10-05 is two weeks,
-- 2025-09-29 (three days) and 2025-10-01 (five days). report_week() names a day's
-- week by its first day.
--
-- Kept exact like the first rollups (…create-rollups.sql): statement-level triggers
-- with transition tables add a write's new rows and subtract its old ones.
--
-- The creative rollups also carry the creative's account_id, indexed by (account,
-- period) with the sums included: the creatives report reads an account's weeks and
-- months as a few contiguous index ranges instead of one probe per creative (whose
-- per-creative overhead dominated). A trigger on creatives
-- keeps that account_id current (creatives stored after their days, or moved).

create function report_week(day date) returns date
language sql immutable parallel safe
return greatest(date_trunc('week', day::timestamp), date_trunc('month', day::timestamp))::date;

comment on function report_week(date) is
    'The first day of the calendar week (Monday first) of day, clipped to day''s month: the key of the weekly rollups.';

create table creative_weekly_metrics (
    creative_id          text not null,
    week                 date not null,   -- report_week(date) of its days
    account_id           bigint,          -- the creative's, kept by creatives_account_to_rollups()
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    leads                bigint not null default 0,
    primary key (creative_id, week)
);

alter table creative_monthly_metrics add column account_id bigint;

-- Demographic periods are summed by the month, and the week, of their date_start:
-- the demographics report's rule is "periods whose date_start falls in the range".
create table audience_demographic_monthly (
    account_id   bigint not null,
    pivot_type   text not null,
    month        date not null,
    segment      text not null,
    periods      bigint not null default 0,   -- stored periods summed here (0: none left)
    impressions  bigint not null default 0,
    clicks       bigint not null default 0,
    -- The sums included: a pivot's segments of a period are one index-only range.
    primary key (account_id, pivot_type, month, segment) include (periods, impressions, clicks)
);

create table audience_demographic_weekly (
    account_id   bigint not null,
    pivot_type   text not null,
    week         date not null,
    segment      text not null,
    periods      bigint not null default 0,
    impressions  bigint not null default 0,
    clicks       bigint not null default 0,
    primary key (account_id, pivot_type, week, segment) include (periods, impressions, clicks)
);

-- Replaces the function of …create-rollups.sql: the monthly rollup as before, and
-- the weekly one. EXECUTE with format() takes only constant names and signs.
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

-- A creative stored after its days (deferred foreign keys allow it), or moved to
-- another account: its rollup rows follow. Only rows whose account differs are written.
create function creatives_account_to_rollups() returns trigger
language plpgsql as $$
begin
    update creative_monthly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    update creative_weekly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    return null;
end
$$;

create trigger creatives_account_to_rollups_insert after insert on creatives
    referencing new table as new_rows for each statement execute function creatives_account_to_rollups();
create trigger creatives_account_to_rollups_update after update on creatives
    referencing new table as new_rows for each statement execute function creatives_account_to_rollups();

create function audience_demographics_roll_up() returns trigger
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
            select * from (values ('audience_demographic_monthly', 'month', $e$date_trunc('month', date_start::timestamp)::date$e$),
                                  ('audience_demographic_weekly', 'week', 'report_week(date_start)')) as g (rollup, bucket, expression)
        loop
            execute format($sql$
                insert into %3$I as r (account_id, pivot_type, %4$I, segment, periods, impressions, clicks)
                select account_id, pivot_type, %5$s, segment, %1$s * count(*), %1$s * sum(impressions), %1$s * sum(clicks)
                from %2$I
                group by 1, 2, 3, 4
                order by 1, 2, 3, 4
                on conflict (account_id, pivot_type, %4$I, segment) do update
                set periods = r.periods + excluded.periods, impressions = r.impressions + excluded.impressions,
                    clicks = r.clicks + excluded.clicks
            $sql$, part.sign, part.source, grain.rollup, grain.bucket, grain.expression);
        end loop;
    end loop;
    return null;
end
$$;

create or replace function daily_metrics_truncate_roll_ups() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'campaign_daily_metrics' then
        truncate campaign_monthly_metrics, account_daily_metrics;
    elsif tg_table_name = 'creative_daily_metrics' then
        truncate creative_monthly_metrics, creative_weekly_metrics;
    else
        truncate audience_demographic_monthly, audience_demographic_weekly;
    end if;
    return null;
end
$$;

create trigger audience_demographics_roll_up_insert after insert on audience_demographics
    referencing new table as new_rows for each statement execute function audience_demographics_roll_up();
create trigger audience_demographics_roll_up_update after update on audience_demographics
    referencing old table as old_rows new table as new_rows for each statement execute function audience_demographics_roll_up();
create trigger audience_demographics_roll_up_delete after delete on audience_demographics
    referencing old table as old_rows for each statement execute function audience_demographics_roll_up();
create trigger audience_demographics_roll_up_truncate after truncate on audience_demographics
    for each statement execute function daily_metrics_truncate_roll_ups();

-- The rollups of what is stored already.
insert into creative_weekly_metrics (creative_id, week, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads)
select m.creative_id, report_week(m.date), min(c.account_id), sum(m.impressions), sum(m.clicks), sum(m.spend),
       sum(m.landing_page_clicks), sum(m.conversions), sum(m.leads)
from creative_daily_metrics m left join creatives c on c.id = m.creative_id
group by 1, 2;

update creative_monthly_metrics r set account_id = c.account_id
from creatives c where c.id = r.creative_id and c.account_id is not null;

-- An account's weeks and months of every creative, as contiguous index entries
-- (index-only scans once vacuum has set the visibility map).
create index creative_weekly_metrics_account_idx on creative_weekly_metrics (account_id, week)
    include (creative_id, impressions, clicks, spend, conversions, leads);
create index creative_monthly_metrics_account_idx on creative_monthly_metrics (account_id, month)
    include (creative_id, impressions, clicks, spend, conversions, leads);

insert into audience_demographic_monthly
select account_id, pivot_type, date_trunc('month', date_start::timestamp)::date, segment, count(*), sum(impressions), sum(clicks)
from audience_demographics group by 1, 2, 3, 4;

insert into audience_demographic_weekly
select account_id, pivot_type, report_week(date_start), segment, count(*), sum(impressions), sum(clicks)
from audience_demographics group by 1, 2, 3, 4;

analyze creative_weekly_metrics;
analyze creative_monthly_metrics;
analyze audience_demographic_monthly;
analyze audience_demographic_weekly;

-- Down Migration

drop trigger creatives_account_to_rollups_update on creatives;
drop trigger creatives_account_to_rollups_insert on creatives;
drop function creatives_account_to_rollups();
drop index creative_monthly_metrics_account_idx;
alter table creative_monthly_metrics drop column account_id;
drop trigger audience_demographics_roll_up_truncate on audience_demographics;
drop trigger audience_demographics_roll_up_delete on audience_demographics;
drop trigger audience_demographics_roll_up_update on audience_demographics;
drop trigger audience_demographics_roll_up_insert on audience_demographics;

create or replace function daily_metrics_truncate_roll_ups() returns trigger
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

-- …create-rollups.sql's function, as it was.
create or replace function creative_daily_metrics_roll_up() returns trigger
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

drop function audience_demographics_roll_up();
drop table audience_demographic_weekly;
drop table audience_demographic_monthly;
drop table creative_weekly_metrics;
drop function report_week(date);
