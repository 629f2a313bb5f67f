/* Reads of creatives. A creative's id is its URN (urn:li:sponsoredCreative:…).
   Writes go through staging: sql/staged_creatives.sql. */

/* @name GetCreativeById */
select id, campaign_id, account_id, intended_status, is_serving, content_reference, content_name,
       serving_hold_reasons, created_at, last_modified_at, fetched_at
from creatives
where id = :id!;

/* @name ListCreativesByIds */
select id, campaign_id, account_id, intended_status, is_serving, content_reference, content_name,
       serving_hold_reasons, created_at, last_modified_at, fetched_at
from creatives
where id = any(:ids!::text[])
order by id;

/* @name ListCreativesByCampaign */
select id, campaign_id, account_id, intended_status, is_serving, content_reference, content_name,
       serving_hold_reasons, created_at, last_modified_at, fetched_at
from creatives
where campaign_id = :campaignId!
order by id;

/* @name ListCreativesByAccount */
select id, campaign_id, account_id, intended_status, is_serving, content_reference, content_name,
       serving_hold_reasons, created_at, last_modified_at, fetched_at
from creatives
where account_id = :accountId!
order by id;
