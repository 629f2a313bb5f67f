/* Queries of campaigns. Bulk writes take one array per column (unnest): one
   statement for any row count, far below the bind-parameter limit. */

/* @name GetCampaignById */
select id, account_id, name, status, type, daily_budget, daily_budget_currency, total_budget,
       cost_type, unit_cost, bid_strategy, creative_selection, offsite_delivery_enabled,
       audience_expansion_enabled, campaign_group, created_at, fetched_at
from campaigns
where id = :id!;

/* @name ListCampaignsByIds */
select id, account_id, name, status, type, daily_budget, daily_budget_currency, total_budget,
       cost_type, unit_cost, bid_strategy, creative_selection, offsite_delivery_enabled,
       audience_expansion_enabled, campaign_group, created_at, fetched_at
from campaigns
where id = any(:ids!::bigint[])
order by id;

/* @name ListCampaignsByAccount */
select id, account_id, name, status, type, daily_budget, daily_budget_currency, total_budget,
       cost_type, unit_cost, bid_strategy, creative_selection, offsite_delivery_enabled,
       audience_expansion_enabled, campaign_group, created_at, fetched_at
from campaigns
where account_id = :accountId!
order by id;

/* Step 1 of a merge: insert the campaigns not stored yet (absent fields are NULL).
   Sorted by id, so concurrent writers meet conflicting keys in one order. */
/* @name InsertNewCampaigns */
with written as (
    insert into campaigns (id, account_id, name, status, type, daily_budget, daily_budget_currency,
                          total_budget, cost_type, unit_cost, bid_strategy, creative_selection,
                          offsite_delivery_enabled, audience_expansion_enabled, campaign_group,
                          created_at)
    select s.id, s.account_id, s.name, s.status, s.type, s.daily_budget, s.daily_budget_currency,
           s.total_budget, s.cost_type, s.unit_cost, s.bid_strategy, s.creative_selection,
           s.offsite_delivery_enabled, s.audience_expansion_enabled, s.campaign_group, s.created_at
    from unnest(:ids!::bigint[], :accountIds!::bigint[], :names!::text[], :statuses!::text[],
                :types!::text[], :dailyBudgets!::numeric[], :dailyBudgetCurrencies!::text[],
                :totalBudgets!::numeric[], :costTypes!::text[], :unitCosts!::numeric[],
                :bidStrategies!::text[], :creativeSelections!::text[],
                :offsiteDeliveryEnabled!::boolean[], :audienceExpansionEnabled!::boolean[],
                :campaignGroups!::text[], :createdAts!::timestamptz[])
             as s (id, account_id, name, status, type, daily_budget, daily_budget_currency,
                   total_budget, cost_type, unit_cost, bid_strategy, creative_selection,
                   offsite_delivery_enabled, audience_expansion_enabled, campaign_group, created_at)
    order by s.id
    on conflict (id) do nothing
    returning 1
)
select count(*) as "inserted!"
from written;

/* Step 2: lock the stored rows of the batch in id order, so that two merges of
   overlapping campaigns queue instead of deadlocking in step 3. */
/* @name LockCampaigns */
select id
from campaigns
where id = any(:ids!::bigint[])
order by id
for update;

/* Step 3: apply the fields present in each element. Bit i of `presence` marks
   field i present (src/store/presence.ts keeps the order): absent keeps the stored
   value, present-with-null clears it. Rows whose values would not change are not
   written at all: no new row version, fetched_at kept. */
/* @name UpdateCampaigns */
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
    from unnest(:ids!::bigint[], :presence!::integer[], :accountIds!::bigint[], :names!::text[],
                :statuses!::text[], :types!::text[], :dailyBudgets!::numeric[],
                :dailyBudgetCurrencies!::text[], :totalBudgets!::numeric[], :costTypes!::text[],
                :unitCosts!::numeric[], :bidStrategies!::text[], :creativeSelections!::text[],
                :offsiteDeliveryEnabled!::boolean[], :audienceExpansionEnabled!::boolean[],
                :campaignGroups!::text[], :createdAts!::timestamptz[])
             as s (id, presence, account_id, name, status, type, daily_budget,
                   daily_budget_currency, total_budget, cost_type, unit_cost, bid_strategy,
                   creative_selection, offsite_delivery_enabled, audience_expansion_enabled,
                   campaign_group, created_at)
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

