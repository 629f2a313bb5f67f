/* Reads of campaigns. Writes go through staging: sql/staged_campaigns.sql. */

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
