/* Queries of creative_daily_metrics: one row per creative and UTC day. ctr and cpc
   are generated columns and never written. Writes go
   through staging: sql/staged_creative_daily_metrics.sql. */

/* @name ListCreativeDailyMetrics */
select creative_id, date, impressions, clicks, spend, landing_page_clicks, conversions, likes, comments,
       shares, follows, leads, opens, sends, video_views, ctr, cpc, fetched_at
from creative_daily_metrics
where creative_id = :creativeId! and date between :from!::date and :to!::date
order by date;
