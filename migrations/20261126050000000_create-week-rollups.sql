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

create function report_week(day date) returns date
language sql immutable parallel safe
return greatest(date_trunc('week', day::timestamp), date_trunc('month', day::timestamp))::date;

comment on function report_week(date) is
    'The first day of the calendar week (Monday first) of day, clipped to day''s month: the key of the weekly rollups.';

create table creative_weekly_metrics (
    creative_id          text not null,
    week                 date not null,   -- report_week(date) of its days
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    leads                bigint not null default 0,
    primary key (creative_id, week)
);

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
    primary key (account_id, pivot_type, month, segment)
);

create table audience_demographic_weekly (
    account_id   bigint not null,
    pivot_type   text not null,
    week         date not null,
    segment      text not null,
    periods      bigint not null default 0,
    impressions  bigint not null default 0,
    clicks       bigint not null default 0,
    primary key (account_id, pivot_type, week, segment)
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
            select * from (values ('creative_monthly_metrics', 'month', $e$date_trunc('month', date::timestamp)::date$e$),
                                  ('creative_weekly_metrics', 'week', 'report_week(date)')) as g (rollup, bucket, expression)
        loop
            execute format($sql$
                insert into %3$I as r
                    (creative_id, %4$I, impressions, clicks, spend, landing_page_clicks, conversions, leads)
                select creative_id, %5$s,
                       %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                       %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
                from %2$I
                group by 1, 2
                order by 1, 2
                on conflict (creative_id, %4$I) do update
                set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                    spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                    conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
            $sql$, part.sign, part.source, grain.rollup, grain.bucket, grain.expression);
        end loop;
    end loop;
    return null;
end
$$;

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
insert into creative_weekly_metrics
select creative_id, report_week(date), sum(impressions), sum(clicks), sum(spend),
       sum(landing_page_clicks), sum(conversions), sum(leads)
from creative_daily_metrics group by 1, 2;

insert into audience_demographic_monthly
select account_id, pivot_type, date_trunc('month', date_start::timestamp)::date, segment, count(*), sum(impressions), sum(clicks)
from audience_demographics group by 1, 2, 3, 4;

insert into audience_demographic_weekly
select account_id, pivot_type, report_week(date_start), segment, count(*), sum(impressions), sum(clicks)
from audience_demographics group by 1, 2, 3, 4;

analyze creative_weekly_metrics;
analyze audience_demographic_monthly;
analyze audience_demographic_weekly;

-- Down Migration

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
