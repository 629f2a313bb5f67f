/* Queries of campaign_daily_metrics: one row per campaign and UTC day. ctr and cpc
   are generated columns and never written. Writes go
   through staging: sql/staged_campaign_daily_metrics.sql. */

/* @name ListCampaignDailyMetrics */
select campaign_id, date, impressions, clicks, spend, landing_page_clicks, conversions, likes, comments,
       shares, follows, leads, opens, sends, video_views, ctr, cpc, fetched_at
from campaign_daily_metrics
where campaign_id = :campaignId! and date between :from!::date and :to!::date
order by date;
