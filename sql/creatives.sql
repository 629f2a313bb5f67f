/* Queries of creatives. A creative's id is its URN (urn:li:sponsoredCreative:…).
   serving_hold_reasons crosses unnest as one array literal per row ('{A,B}'),
   since unnest cannot take an array of arrays of different lengths. */

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

/* Step 1 of a merge: insert the creatives not stored yet (absent fields are NULL).
   Sorted by id, so concurrent writers meet conflicting keys in one order. */
/* @name InsertNewCreatives */
with written as (
    insert into creatives (id, campaign_id, account_id, intended_status, is_serving,
                          content_reference, content_name, serving_hold_reasons, created_at,
                          last_modified_at)
    select s.id, s.campaign_id, s.account_id, s.intended_status, s.is_serving, s.content_reference,
           s.content_name, s.serving_hold_reasons::text[], s.created_at, s.last_modified_at
    from unnest(:ids!::text[], :campaignIds!::bigint[], :accountIds!::bigint[],
                :intendedStatuses!::text[], :isServing!::boolean[], :contentReferences!::text[],
                :contentNames!::text[], :servingHoldReasons!::text[], :createdAts!::timestamptz[],
                :lastModifiedAts!::timestamptz[])
             as s (id, campaign_id, account_id, intended_status, is_serving, content_reference,
                   content_name, serving_hold_reasons, created_at, last_modified_at)
    order by s.id
    on conflict (id) do nothing
    returning 1
)
select count(*) as "inserted!"
from written;

/* Step 2: lock the stored rows of the batch in id order, so that two merges of
   overlapping creatives queue instead of deadlocking in step 3. */
/* @name LockCreatives */
select id
from creatives
where id = any(:ids!::text[])
order by id
for update;

/* Step 3: apply the fields present in each element. Bit i of `presence` marks
   field i present (src/store/presence.ts keeps the order): absent keeps the stored
   value, present-with-null clears it. Rows whose values would not change are not
   written at all: no new row version, fetched_at kept. */
/* @name UpdateCreatives */
with written as (
    update creatives as t
    set campaign_id          = case when s.presence & 1     = 0 then t.campaign_id          else s.campaign_id end,
        account_id           = case when s.presence & 2     = 0 then t.account_id           else s.account_id end,
        intended_status      = case when s.presence & 4     = 0 then t.intended_status      else s.intended_status end,
        is_serving           = case when s.presence & 8     = 0 then t.is_serving           else s.is_serving end,
        content_reference    = case when s.presence & 16    = 0 then t.content_reference    else s.content_reference end,
        content_name         = case when s.presence & 32    = 0 then t.content_name         else s.content_name end,
        serving_hold_reasons = case when s.presence & 64    = 0 then t.serving_hold_reasons else s.serving_hold_reasons::text[] end,
        created_at           = case when s.presence & 128   = 0 then t.created_at           else s.created_at end,
        last_modified_at     = case when s.presence & 256   = 0 then t.last_modified_at     else s.last_modified_at end,
        fetched_at           = now()
    from unnest(:ids!::text[], :presence!::integer[], :campaignIds!::bigint[],
                :accountIds!::bigint[], :intendedStatuses!::text[], :isServing!::boolean[],
                :contentReferences!::text[], :contentNames!::text[], :servingHoldReasons!::text[],
                :createdAts!::timestamptz[], :lastModifiedAts!::timestamptz[])
             as s (id, presence, campaign_id, account_id, intended_status, is_serving,
                   content_reference, content_name, serving_hold_reasons, created_at,
                   last_modified_at)
    where t.id = s.id
      and (   (s.presence & 1     <> 0 and t.campaign_id          is distinct from s.campaign_id)
           or (s.presence & 2     <> 0 and t.account_id           is distinct from s.account_id)
           or (s.presence & 4     <> 0 and t.intended_status      is distinct from s.intended_status)
           or (s.presence & 8     <> 0 and t.is_serving           is distinct from s.is_serving)
           or (s.presence & 16    <> 0 and t.content_reference    is distinct from s.content_reference)
           or (s.presence & 32    <> 0 and t.content_name         is distinct from s.content_name)
           or (s.presence & 64    <> 0 and t.serving_hold_reasons is distinct from s.serving_hold_reasons::text[])
           or (s.presence & 128   <> 0 and t.created_at           is distinct from s.created_at)
           or (s.presence & 256   <> 0 and t.last_modified_at     is distinct from s.last_modified_at))
    returning 1
)
select count(*) as "updated!"
from written;

