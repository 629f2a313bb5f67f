/* Checks and locks over all staged tables of one write, before anything is merged. */

/* The first staged reference (in line order) to a parent that is neither staged
   nor stored, so that the error can name its line. Deferred foreign keys would
   only report it at commit, without a line. The daily rows' parents come as the
   distinct ids they report on (:campaignIds, :creativeIds): checking those costs
   nothing per row, and only an unknown one makes the query look for its line. */
/* @name FindFirstUnknownReference */
select line, reference as "reference!", value as "value!"
from (
    select s.line, 'campaign.account' as reference, s.account_id::text as value
    from staged_campaigns s
    where s.account_id is not null
      and not exists (select 1 from staged_ad_accounts a where a.id = s.account_id)
      and not exists (select 1 from ad_accounts a where a.id = s.account_id)
    union all
    select s.line, 'creative.campaign', s.campaign_id::text
    from staged_creatives s
    where s.campaign_id is not null
      and not exists (select 1 from staged_campaigns c where c.id = s.campaign_id)
      and not exists (select 1 from campaigns c where c.id = s.campaign_id)
    union all
    select s.line, 'creative.account', s.account_id::text
    from staged_creatives s
    where s.account_id is not null
      and not exists (select 1 from staged_ad_accounts a where a.id = s.account_id)
      and not exists (select 1 from ad_accounts a where a.id = s.account_id)
    union all
    select (select min(s.line) from staged_campaign_daily_metrics s where s.campaign_id = u.id),
           'campaign_daily_metric.campaign', u.id::text
    from unnest(:campaignIds!::bigint[]) as u (id)
    where not exists (select 1 from staged_campaigns c where c.id = u.id)
      and not exists (select 1 from campaigns c where c.id = u.id)
    union all
    select (select min(s.line) from staged_creative_daily_metrics s where s.creative_id = u.id),
           'creative_daily_metric.creative', u.id
    from unnest(:creativeIds!::text[]) as u (id)
    where not exists (select 1 from staged_creatives c where c.id = u.id)
      and not exists (select 1 from creatives c where c.id = u.id)
    union all
    select s.line, 'audience_demographic.account', s.account_id::text
    from staged_audience_demographics s
    where not exists (select 1 from staged_ad_accounts a where a.id = s.account_id)
      and not exists (select 1 from ad_accounts a where a.id = s.account_id)
) unknown
order by line
limit 1;

/* Every account whose data the staged rows write: named by the rows themselves,
   or owning a campaign or creative (stored or staged) that they write or that
   the daily rows report on (:campaignIds, :creativeIds). */
/* @name ListAccountsWritten */
select account_id as "account_id!"
from (
    select id as account_id from staged_ad_accounts
    union
    select account_id from staged_campaigns
    union
    select account_id from staged_creatives
    union
    select account_id from staged_audience_demographics
    union
    select c.account_id from campaigns c
    where c.id in (select id from staged_campaigns) or c.id = any(:campaignIds!::bigint[])
    union
    select c.account_id from creatives c
    where c.id in (select id from staged_creatives) or c.id = any(:creativeIds!::text[])
) accounts
where account_id is not null
order by account_id;

/* Distinct campaigns and creatives the staged rows describe (after folding, one row each). */
/* @name CountStagedEntities */
select (select count(*) from staged_campaigns) as "campaigns!",
       (select count(*) from staged_creatives) as "creatives!";

/* Recomputes share_pct in every (account, pivot, period) group that a staged
   demographic row touches. */
/* @name RecomputeStagedSharePct */
with written as (
    update audience_demographics as t
    set share_pct = g.share_pct
    from (select d.account_id, d.pivot_type, d.segment, d.date_start,
                 case when sum(d.impressions) over w > 0
                      then d.impressions * 100.0 / sum(d.impressions) over w
                      else 0 end::double precision as share_pct
          from audience_demographics d
          join (select distinct account_id, pivot_type, date_start
                from staged_audience_demographics) groups
            using (account_id, pivot_type, date_start)
          window w as (partition by d.account_id, d.pivot_type, d.date_start)) g
    where (t.account_id, t.pivot_type, t.segment, t.date_start)
          = (g.account_id, g.pivot_type, g.segment, g.date_start)
      and t.share_pct is distinct from g.share_pct
    returning 1
)
select count(*) as "updated!"
from written;

/* Settings for the rest of this transaction: work_mem for the merge's hash joins
   and aggregates, and no JIT: the reference check's estimated cost crosses
   jit_above_cost, and compiling it took 0.59 s of a 0.65 s query (measured). */
/* @name SetStagingSettings */
select set_config('work_mem', :workMem!::text, true) as "work_mem!",
       set_config('jit', 'off', true) as "jit!";

/* Whether any of these campaigns has a stored day in from..to: when none has, a
   bulk write's daily rows are all new (writeBatch sends them straight into the
   table by COPY; a merge of staged days skips its discard and update). One index
   probe per campaign. */
/* @name HasStoredCampaignDays */
select exists (select 1
               from campaign_daily_metrics
               where campaign_id = any(:campaignIds!::bigint[])
                 and date between :from!::date and :to!::date) as "stored!";

/* @name HasStoredCreativeDays */
select exists (select 1
               from creative_daily_metrics
               where creative_id = any(:creativeIds!::text[])
                 and date between :from!::date and :to!::date) as "stored!";

/* Every staged reference to a parent that is neither staged nor stored, by distinct
   value: `ingest --skip-invalid` and a sync reject the rows holding them instead of
   failing. The daily rows' parents come as the distinct ids they report on
   (:campaignIds, :creativeIds), as in FindFirstUnknownReference: reading every
   staged daily row took ~60 ms per 27,000 creative days, in each part of a sync. */
/* @name ListUnknownReferences */
select distinct reference as "reference!", value as "value!"
from (
    select 'campaign.account' as reference, s.account_id::text as value
    from staged_campaigns s
    where s.account_id is not null
      and not exists (select 1 from staged_ad_accounts a where a.id = s.account_id)
      and not exists (select 1 from ad_accounts a where a.id = s.account_id)
    union all
    select 'creative.campaign', s.campaign_id::text
    from staged_creatives s
    where s.campaign_id is not null
      and not exists (select 1 from staged_campaigns c where c.id = s.campaign_id)
      and not exists (select 1 from campaigns c where c.id = s.campaign_id)
    union all
    select 'creative.account', s.account_id::text
    from staged_creatives s
    where s.account_id is not null
      and not exists (select 1 from staged_ad_accounts a where a.id = s.account_id)
      and not exists (select 1 from ad_accounts a where a.id = s.account_id)
    union all
    select 'campaign_daily_metric.campaign', u.id::text
    from unnest(:campaignIds!::bigint[]) as u (id)
    where not exists (select 1 from staged_campaigns c where c.id = u.id)
      and not exists (select 1 from campaigns c where c.id = u.id)
    union all
    select 'creative_daily_metric.creative', u.id
    from unnest(:creativeIds!::text[]) as u (id)
    where not exists (select 1 from staged_creatives c where c.id = u.id)
      and not exists (select 1 from creatives c where c.id = u.id)
    union all
    select 'audience_demographic.account', s.account_id::text
    from staged_audience_demographics s
    where not exists (select 1 from staged_ad_accounts a where a.id = s.account_id)
      and not exists (select 1 from ad_accounts a where a.id = s.account_id)
) unknown
order by 1, 2;

/* The staged rows holding one unknown reference, removed; their lines are the rejects.
   One statement per kind of reference (ListUnknownReferences's names). */
/* @name RejectStagedCampaignsOfAccount */
delete from staged_campaigns where account_id = :accountId! returning line as "line!";

/* @name RejectStagedCreativesOfCampaign */
delete from staged_creatives where campaign_id = :campaignId! returning line as "line!";

/* @name RejectStagedCreativesOfAccount */
delete from staged_creatives where account_id = :accountId! returning line as "line!";

/* @name RejectStagedCampaignDaysOfCampaign */
delete from staged_campaign_daily_metrics where campaign_id = :campaignId! returning line as "line!";

/* @name RejectStagedCreativeDaysOfCreative */
delete from staged_creative_daily_metrics where creative_id = :creativeId! returning line as "line!";

/* @name RejectStagedDemographicsOfAccount */
delete from staged_audience_demographics where account_id = :accountId! returning line as "line!";

/* The account of each of these campaigns, for campaign days written straight into
   campaign_daily_metrics by COPY (after the campaigns of the same write are merged):
   each day carries its campaign's account (migrations/…campaign-days-carry-account.sql). */
/* @name ListCampaignAccounts */
select id as "id!", account_id
from campaigns
where id = any(:ids!::bigint[]);

/* The same for creatives and their days (migrations/…creative-days-by-account.sql). */
/* @name ListCreativeAccounts */
select id as "id!", account_id
from creatives
where id = any(:ids!::text[]);

/* The foreign keys of the stored tables, checked now instead of at commit: a sync
   that merges an account in parts checks each part's references while the rest of
   the account is still fetched, leaving little to check at its commit. Only the
   foreign keys: the days' account fills (the *_account_at_commit triggers) stay at
   commit, where they see the parents that other sessions committed meanwhile. */
/* @name CheckForeignKeysNow */
set constraints audience_demographics_account_id_fkey, campaign_daily_metrics_campaign_id_fkey,
                campaigns_account_id_fkey, creative_daily_metrics_creative_id_fkey,
                creatives_account_id_fkey, creatives_campaign_id_fkey immediate;

/* Every deferrable constraint deferred again, as all of them are declared: the
   foreign keys of later writes are checked at commit (or at the next part). */
/* @name DeferConstraints */
set constraints all deferred;
