-- Up Migration

-- Heap reads of the reports made index-only (INCLUDE): the campaigns and compare
-- reports read each campaign's months from campaign_monthly_metrics; the
-- demographics report reads a pivot's edge-day periods from audience_demographics.
-- Their keys are unchanged. (campaign_daily_metrics keeps its plain key: covering it
-- measured no faster for the reports, whose edge days are few.)
--
-- Lock cost: each rebuild holds an ACCESS EXCLUSIVE lock on its table for the length
-- of the build (seconds per million rows on a 2-core machine); run it when no ingest
-- is running.

alter table campaign_monthly_metrics drop constraint campaign_monthly_metrics_pkey;
alter table campaign_monthly_metrics add constraint campaign_monthly_metrics_pkey
    primary key (campaign_id, month) include (impressions, clicks, spend, landing_page_clicks, conversions, leads);

drop index audience_demographics_period_idx;
create index audience_demographics_period_idx on audience_demographics (account_id, pivot_type, date_start)
    include (segment, impressions, clicks);

-- Down Migration

drop index audience_demographics_period_idx;
create index audience_demographics_period_idx on audience_demographics (account_id, pivot_type, date_start);

alter table campaign_monthly_metrics drop constraint campaign_monthly_metrics_pkey;
alter table campaign_monthly_metrics add constraint campaign_monthly_metrics_pkey primary key (campaign_id, month);
