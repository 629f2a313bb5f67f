-- Up Migration

-- A metric LinkedIn reports that the specification lacks: videoViews (views of a
-- video ad of at least two seconds with half of it on screen, or a click to
-- expand), on campaign and creative days. Added as the README's "Adding a column"
-- says: this migration (the day tables and their staging templates), one entry in
-- src/store/fields.ts, the mapping in src/linkedin/elements.ts, npm run gen.
--
-- A count like the others: bigint, 0 when LinkedIn omits it, never negative. The
-- rollups do not sum it (no report shows it yet). Adding a column with a constant
-- default rewrites no row (PostgreSQL 11 and later): instant on any table size.

alter table campaign_daily_metrics
    add column video_views bigint not null default 0,
    add constraint campaign_daily_metrics_video_views_nonnegative check (video_views >= 0);
alter table creative_daily_metrics
    add column video_views bigint not null default 0,
    add constraint creative_daily_metrics_video_views_nonnegative check (video_views >= 0);

-- The staging templates hold what a line said: NULL when absent.
alter table staged_campaign_daily_metrics add column video_views bigint;
alter table staged_creative_daily_metrics add column video_views bigint;

-- Down Migration

alter table staged_creative_daily_metrics drop column video_views;
alter table staged_campaign_daily_metrics drop column video_views;
alter table creative_daily_metrics drop column video_views;
alter table campaign_daily_metrics drop column video_views;
