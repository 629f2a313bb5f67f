-- Up Migration

-- The creatives report sums each creative's days of a range, and a creative's
-- days lie on as many heap pages as there are days (rows arrive day by day). The
-- primary key carries the summed columns (INCLUDE), so those sums are index-only
-- scans of one contiguous run of index entries per creative (measured in
-- docs/benchmarks.md). The key itself is unchanged: (creative_id, date).
--
-- Lock cost: rebuilding the index holds an ACCESS EXCLUSIVE lock on
-- creative_daily_metrics for the length of the build (about a minute per 10 million
-- rows on a 2-core machine); run it when no ingest is running.

alter table creative_daily_metrics drop constraint creative_daily_metrics_pkey;
alter table creative_daily_metrics add constraint creative_daily_metrics_pkey
    primary key (creative_id, date) include (impressions, clicks, spend, conversions, leads);

-- Down Migration

alter table creative_daily_metrics drop constraint creative_daily_metrics_pkey;
alter table creative_daily_metrics add constraint creative_daily_metrics_pkey primary key (creative_id, date);
