-- Up Migration

-- Week rollups for the campaigns, as for the creatives (…create-week-rollups.sql):
-- the campaigns and compare reports split a range into days, weeks, months, weeks,
-- days (splitRangeByWeeks), so each campaign reads at most twelve edge days from
-- campaign_daily_metrics instead of up to two partial months (compare over 90 days:
-- 58 days per campaign, the bulk of its time). The sums are in the key (INCLUDE): a
-- campaign's weeks are one index-only range once vacuum has run.

create table campaign_weekly_metrics (
    campaign_id          bigint not null,
    week                 date not null,   -- report_week(date) of its days
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    leads                bigint not null default 0,
    primary key (campaign_id, week) include (impressions, clicks, spend, landing_page_clicks, conversions, leads)
);

-- …create-rollups.sql's function, with the weekly rollup added.
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

create or replace function daily_metrics_truncate_roll_ups() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'campaign_daily_metrics' then
        truncate campaign_monthly_metrics, campaign_weekly_metrics, account_daily_metrics;
    elsif tg_table_name = 'creative_daily_metrics' then
        truncate creative_monthly_metrics, creative_weekly_metrics;
    else
        truncate audience_demographic_monthly, audience_demographic_weekly;
    end if;
    return null;
end
$$;

insert into campaign_weekly_metrics
select campaign_id, report_week(date), sum(impressions), sum(clicks), sum(spend),
       sum(landing_page_clicks), sum(conversions), sum(leads)
from campaign_daily_metrics group by 1, 2;

analyze campaign_weekly_metrics;

-- Down Migration

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

-- …create-rollups.sql's function, as it was.
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

drop table campaign_weekly_metrics;
