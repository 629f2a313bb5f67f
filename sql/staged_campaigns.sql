/* Staged writes into campaigns: fold repeated keys, then merge. The staged_campaigns
   table these read is the session's temporary copy (migrations/…create-staging-templates.sql). */

/* Folds the lines that repeat a key into one row, in line order: for each
   field, the last line where it is present wins; the folded row keeps the last
   line number. Keys that occur once (the usual case) are not touched. */
/* @name FoldStagedCampaigns */
with repeated as (
    select id
    from staged_campaigns
    group by id
    having count(*) > 1
),
folded as (
    select s.id, max(s.line) as line, bit_or(s.presence) as presence,
           (array_agg(s.account_id order by s.line desc) filter (where s.presence & 1 <> 0))[1] as account_id,
           (array_agg(s.name order by s.line desc) filter (where s.presence & 2 <> 0))[1] as name,
           (array_agg(s.status order by s.line desc) filter (where s.presence & 4 <> 0))[1] as status,
           (array_agg(s.type order by s.line desc) filter (where s.presence & 8 <> 0))[1] as type,
           (array_agg(s.daily_budget order by s.line desc) filter (where s.presence & 16 <> 0))[1] as daily_budget,
           (array_agg(s.daily_budget_currency order by s.line desc) filter (where s.presence & 32 <> 0))[1] as daily_budget_currency,
           (array_agg(s.total_budget order by s.line desc) filter (where s.presence & 64 <> 0))[1] as total_budget,
           (array_agg(s.cost_type order by s.line desc) filter (where s.presence & 128 <> 0))[1] as cost_type,
           (array_agg(s.unit_cost order by s.line desc) filter (where s.presence & 256 <> 0))[1] as unit_cost,
           (array_agg(s.bid_strategy order by s.line desc) filter (where s.presence & 512 <> 0))[1] as bid_strategy,
           (array_agg(s.creative_selection order by s.line desc) filter (where s.presence & 1024 <> 0))[1] as creative_selection,
           (array_agg(s.offsite_delivery_enabled order by s.line desc) filter (where s.presence & 2048 <> 0))[1] as offsite_delivery_enabled,
           (array_agg(s.audience_expansion_enabled order by s.line desc) filter (where s.presence & 4096 <> 0))[1] as audience_expansion_enabled,
           (array_agg(s.campaign_group order by s.line desc) filter (where s.presence & 8192 <> 0))[1] as campaign_group,
           (array_agg(s.created_at order by s.line desc) filter (where s.presence & 16384 <> 0))[1] as created_at
    from staged_campaigns s
    join repeated using (id)
    group by s.id
),
removed as (
    delete from staged_campaigns s
    using repeated r
    where s.id = r.id
)
insert into staged_campaigns (line, presence, id, account_id, name, status, type, daily_budget,
                             daily_budget_currency, total_budget, cost_type, unit_cost,
                             bid_strategy, creative_selection, offsite_delivery_enabled,
                             audience_expansion_enabled, campaign_group, created_at)
select line, presence, id, account_id, name, status, type, daily_budget, daily_budget_currency,
       total_budget, cost_type, unit_cost, bid_strategy, creative_selection,
       offsite_delivery_enabled, audience_expansion_enabled, campaign_group, created_at
from folded;

/* Inserts the staged campaigns that are not stored yet (absent fields are NULL),
   in id order. Runs under the ingest's account locks, so no ON CONFLICT is needed;
   a writer that ignores those locks makes this fail (23505), never silently lose. */
/* @name InsertStagedCampaigns */
with written as (
    insert into campaigns (id, account_id, name, status, type, daily_budget,
                           daily_budget_currency, total_budget, cost_type, unit_cost,
                           bid_strategy, creative_selection, offsite_delivery_enabled,
                           audience_expansion_enabled, campaign_group, created_at)
    select s.id, s.account_id, s.name, s.status, s.type, s.daily_budget, s.daily_budget_currency,
           s.total_budget, s.cost_type, s.unit_cost, s.bid_strategy, s.creative_selection,
           s.offsite_delivery_enabled, s.audience_expansion_enabled, s.campaign_group,
           s.created_at
    from staged_campaigns s
    where not exists (select 1 from campaigns t where t.id = s.id)
    order by s.id
    returning 1
)
select count(*) as "inserted!"
from written;

/* Applies the present fields of staged campaigns to the stored rows whose values
   differ: absent keeps, present-with-null clears; unchanged rows are not written. */
/* @name UpdateFromStagedCampaigns */
with written as (
    update campaigns as t
    set account_id                 = case when s.presence & 1     = 0 then t.account_id                 else s.account_id end,
        name                       = case when s.presence & 2     = 0 then t.name                       else s.name end,
        status                     = case when s.presence & 4     = 0 then t.status                     else s.status end,
        type                       = case when s.presence & 8     = 0 then t.type                       else s.type end,
        daily_budget               = case when s.presence & 16    = 0 then t.daily_budget               else s.daily_budget end,
        daily_budget_currency      = case when s.presence & 32    = 0 then t.daily_budget_currency      else s.daily_budget_currency end,
        total_budget               = case when s.presence & 64    = 0 then t.total_budget               else s.total_budget end,
        cost_type                  = case when s.presence & 128   = 0 then t.cost_type                  else s.cost_type end,
        unit_cost                  = case when s.presence & 256   = 0 then t.unit_cost                  else s.unit_cost end,
        bid_strategy               = case when s.presence & 512   = 0 then t.bid_strategy               else s.bid_strategy end,
        creative_selection         = case when s.presence & 1024  = 0 then t.creative_selection         else s.creative_selection end,
        offsite_delivery_enabled   = case when s.presence & 2048  = 0 then t.offsite_delivery_enabled   else s.offsite_delivery_enabled end,
        audience_expansion_enabled = case when s.presence & 4096  = 0 then t.audience_expansion_enabled else s.audience_expansion_enabled end,
        campaign_group             = case when s.presence & 8192  = 0 then t.campaign_group             else s.campaign_group end,
        created_at                 = case when s.presence & 16384 = 0 then t.created_at                 else s.created_at end,
        fetched_at                 = now()
    from staged_campaigns s
    where t.id = s.id
      and (   (s.presence & 1     <> 0 and t.account_id                 is distinct from s.account_id)
           or (s.presence & 2     <> 0 and t.name                       is distinct from s.name)
           or (s.presence & 4     <> 0 and t.status                     is distinct from s.status)
           or (s.presence & 8     <> 0 and t.type                       is distinct from s.type)
           or (s.presence & 16    <> 0 and t.daily_budget               is distinct from s.daily_budget)
           or (s.presence & 32    <> 0 and t.daily_budget_currency      is distinct from s.daily_budget_currency)
           or (s.presence & 64    <> 0 and t.total_budget               is distinct from s.total_budget)
           or (s.presence & 128   <> 0 and t.cost_type                  is distinct from s.cost_type)
           or (s.presence & 256   <> 0 and t.unit_cost                  is distinct from s.unit_cost)
           or (s.presence & 512   <> 0 and t.bid_strategy               is distinct from s.bid_strategy)
           or (s.presence & 1024  <> 0 and t.creative_selection         is distinct from s.creative_selection)
           or (s.presence & 2048  <> 0 and t.offsite_delivery_enabled   is distinct from s.offsite_delivery_enabled)
           or (s.presence & 4096  <> 0 and t.audience_expansion_enabled is distinct from s.audience_expansion_enabled)
           or (s.presence & 8192  <> 0 and t.campaign_group             is distinct from s.campaign_group)
           or (s.presence & 16384 <> 0 and t.created_at                 is distinct from s.created_at))
    returning 1
)
select count(*) as "updated!"
from written;
