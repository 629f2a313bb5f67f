/* Queries of campaign_daily_metrics: one row per campaign and UTC day. ctr and cpc
   are generated columns and never written. */

/* @name ListCampaignDailyMetrics */
select campaign_id, date, impressions, clicks, spend, landing_page_clicks, conversions, likes, comments,
       shares, follows, leads, opens, sends, ctr, cpc, fetched_at
from campaign_daily_metrics
where campaign_id = :campaignId! and date between :from!::date and :to!::date
order by date;

/* Replaces each (campaign_id, date) row with the batch's values: LinkedIn restates
   recent days, and a restated day is the whole truth for that day. The batch
   must hold each key once (a repeated key fails with 21000). Sorted by key so
   that concurrent writers lock rows in one order; a row whose values are
   unchanged is left alone (no new row version, fetched_at kept). */
/* @name UpsertCampaignDailyMetrics */
with written as (
    insert into campaign_daily_metrics as t
        (campaign_id, date, impressions, clicks, spend, landing_page_clicks, conversions, likes, comments,
         shares, follows, leads, opens, sends)
    select s.campaign_id, s.date, s.impressions, s.clicks, s.spend, s.landing_page_clicks, s.conversions,
           s.likes, s.comments, s.shares, s.follows, s.leads, s.opens, s.sends
    from unnest(:campaignIds!::bigint[], :dates!::date[], :impressions!::bigint[], :clicks!::bigint[],
                :spends!::numeric[], :landingPageClicks!::bigint[], :conversions!::bigint[],
                :likes!::bigint[], :comments!::bigint[], :shares!::bigint[], :follows!::bigint[],
                :leads!::bigint[], :opens!::bigint[], :sends!::bigint[])
             as s (campaign_id, date, impressions, clicks, spend, landing_page_clicks, conversions,
                   likes, comments, shares, follows, leads, opens, sends)
    order by s.campaign_id, s.date
    on conflict (campaign_id, date) do update
    set impressions         = excluded.impressions,
        clicks              = excluded.clicks,
        spend               = excluded.spend,
        landing_page_clicks = excluded.landing_page_clicks,
        conversions         = excluded.conversions,
        likes               = excluded.likes,
        comments            = excluded.comments,
        shares              = excluded.shares,
        follows             = excluded.follows,
        leads               = excluded.leads,
        opens               = excluded.opens,
        sends               = excluded.sends,
        fetched_at          = now()
    where (t.impressions, t.clicks, t.spend, t.landing_page_clicks, t.conversions, t.likes,
           t.comments, t.shares, t.follows, t.leads, t.opens, t.sends)
          is distinct from
          (excluded.impressions, excluded.clicks, excluded.spend, excluded.landing_page_clicks,
           excluded.conversions, excluded.likes, excluded.comments, excluded.shares,
           excluded.follows, excluded.leads, excluded.opens, excluded.sends)
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as "inserted!",
       count(*) filter (where not inserted) as "updated!"
from written;
