/* Staged writes into campaign_daily_metrics: fold repeated keys, then merge. The staged_campaign_daily_metrics
   table these read is the session's temporary copy (migrations/…create-staging-templates.sql). */

/* Folds the lines that repeat a key into one row, in line order: for each
   field, the last line where it is present wins; the folded row keeps the last
   line number. Keys that occur once (the usual case) are not touched. */
/* @name FoldStagedCampaignDailyMetrics */
with repeated as (
    select campaign_id, date
    from staged_campaign_daily_metrics
    group by campaign_id, date
    having count(*) > 1
),
folded as (
    select s.campaign_id, s.date, max(s.line) as line, bit_or(s.presence) as presence,
           (array_agg(s.impressions order by s.line desc) filter (where s.presence & 1 <> 0))[1] as impressions,
           (array_agg(s.clicks order by s.line desc) filter (where s.presence & 2 <> 0))[1] as clicks,
           (array_agg(s.spend order by s.line desc) filter (where s.presence & 4 <> 0))[1] as spend,
           (array_agg(s.landing_page_clicks order by s.line desc) filter (where s.presence & 8 <> 0))[1] as landing_page_clicks,
           (array_agg(s.conversions order by s.line desc) filter (where s.presence & 16 <> 0))[1] as conversions,
           (array_agg(s.likes order by s.line desc) filter (where s.presence & 32 <> 0))[1] as likes,
           (array_agg(s.comments order by s.line desc) filter (where s.presence & 64 <> 0))[1] as comments,
           (array_agg(s.shares order by s.line desc) filter (where s.presence & 128 <> 0))[1] as shares,
           (array_agg(s.follows order by s.line desc) filter (where s.presence & 256 <> 0))[1] as follows,
           (array_agg(s.leads order by s.line desc) filter (where s.presence & 512 <> 0))[1] as leads,
           (array_agg(s.opens order by s.line desc) filter (where s.presence & 1024 <> 0))[1] as opens,
           (array_agg(s.sends order by s.line desc) filter (where s.presence & 2048 <> 0))[1] as sends
    from staged_campaign_daily_metrics s
    join repeated using (campaign_id, date)
    group by s.campaign_id, s.date
),
removed as (
    delete from staged_campaign_daily_metrics s
    using repeated r
    where s.campaign_id = r.campaign_id and s.date = r.date
)
insert into staged_campaign_daily_metrics (line, presence, campaign_id, date, impressions, clicks,
                                          spend, landing_page_clicks, conversions, likes,
                                          comments, shares, follows, leads, opens, sends)
select line, presence, campaign_id, date, impressions, clicks, spend, landing_page_clicks,
       conversions, likes, comments, shares, follows, leads, opens, sends
from folded;

/* Drops the staged rows whose stored row already holds the same values, so that
   re-sending known data writes nothing at all: no row version, no row lock, no WAL.
   A metric absent from every line of a key is 0 (the column default). */
/* @name DiscardUnchangedStagedCampaignDailyMetrics */
delete from staged_campaign_daily_metrics s
using campaign_daily_metrics t
where t.campaign_id = s.campaign_id and t.date = s.date
  and (t.impressions, t.clicks, t.spend, t.landing_page_clicks, t.conversions, t.likes,
       t.comments, t.shares, t.follows, t.leads, t.opens, t.sends)
      is not distinct from
      (coalesce(s.impressions, 0), coalesce(s.clicks, 0), coalesce(s.spend, 0),
       coalesce(s.landing_page_clicks, 0), coalesce(s.conversions, 0), coalesce(s.likes, 0),
       coalesce(s.comments, 0), coalesce(s.shares, 0), coalesce(s.follows, 0),
       coalesce(s.leads, 0), coalesce(s.opens, 0), coalesce(s.sends, 0));

/* Replaces the stored rows of the staged keys (LinkedIn restates recent days). */
/* @name UpdateFromStagedCampaignDailyMetrics */
with written as (
    update campaign_daily_metrics as t
    set impressions         = coalesce(s.impressions, 0),
        clicks              = coalesce(s.clicks, 0),
        spend               = coalesce(s.spend, 0),
        landing_page_clicks = coalesce(s.landing_page_clicks, 0),
        conversions         = coalesce(s.conversions, 0),
        likes               = coalesce(s.likes, 0),
        comments            = coalesce(s.comments, 0),
        shares              = coalesce(s.shares, 0),
        follows             = coalesce(s.follows, 0),
        leads               = coalesce(s.leads, 0),
        opens               = coalesce(s.opens, 0),
        sends               = coalesce(s.sends, 0),
        fetched_at          = now()
    from staged_campaign_daily_metrics s
    where t.campaign_id = s.campaign_id and t.date = s.date
    returning 1
)
select count(*) as "updated!"
from written;

/* Inserts the staged keys not stored yet, in key order, each with its campaign's
   account. Runs under the ingest's
   account locks, so no ON CONFLICT is needed; a writer that ignores those locks
   makes this fail (23505), never silently lose a row. */
/* @name InsertStagedCampaignDailyMetrics */
with written as (
    insert into campaign_daily_metrics (campaign_id, date, impressions, clicks, spend,
                                        landing_page_clicks, conversions, likes, comments,
                                        shares, follows, leads, opens, sends, account_id)
    select s.campaign_id, s.date, coalesce(s.impressions, 0), coalesce(s.clicks, 0),
           coalesce(s.spend, 0), coalesce(s.landing_page_clicks, 0), coalesce(s.conversions, 0),
           coalesce(s.likes, 0), coalesce(s.comments, 0), coalesce(s.shares, 0),
           coalesce(s.follows, 0), coalesce(s.leads, 0), coalesce(s.opens, 0),
           coalesce(s.sends, 0), c.account_id
    from staged_campaign_daily_metrics s
    -- Campaigns are merged first: each day gets its campaign's account, so that the
    -- days' statement trigger finds nothing to rewrite (it would correct a wrong one).
    -- A campaign still to come (a later call, deferred keys) leaves it to the commit.
    left join campaigns c on c.id = s.campaign_id
    where not exists (select 1 from campaign_daily_metrics t
                      where t.campaign_id = s.campaign_id
                        and t.date = s.date)
    order by s.campaign_id, s.date
    returning 1
)
select count(*) as "inserted!"
from written;
