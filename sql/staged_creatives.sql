/* Staged writes into creatives: fold repeated keys, then merge. The staged_creatives
   table these read is the session's temporary copy (migrations/…create-staging-templates.sql). */

/* Folds the lines that repeat a key into one row, in line order: for each
   field, the last line where it is present wins; the folded row keeps the last
   line number. Keys that occur once (the usual case) are not touched. */
/* @name FoldStagedCreatives */
with repeated as (
    select id
    from staged_creatives
    group by id
    having count(*) > 1
),
folded as (
    select s.id, max(s.line) as line, bit_or(s.presence) as presence,
           (array_agg(s.campaign_id order by s.line desc) filter (where s.presence & 1 <> 0))[1] as campaign_id,
           (array_agg(s.account_id order by s.line desc) filter (where s.presence & 2 <> 0))[1] as account_id,
           (array_agg(s.intended_status order by s.line desc) filter (where s.presence & 4 <> 0))[1] as intended_status,
           (array_agg(s.is_serving order by s.line desc) filter (where s.presence & 8 <> 0))[1] as is_serving,
           (array_agg(s.content_reference order by s.line desc) filter (where s.presence & 16 <> 0))[1] as content_reference,
           (array_agg(s.content_name order by s.line desc) filter (where s.presence & 32 <> 0))[1] as content_name,
           (select x.serving_hold_reasons from staged_creatives x where x.id = s.id and x.presence & 64 <> 0
            order by x.line desc limit 1) as serving_hold_reasons,
           (array_agg(s.created_at order by s.line desc) filter (where s.presence & 128 <> 0))[1] as created_at,
           (array_agg(s.last_modified_at order by s.line desc) filter (where s.presence & 256 <> 0))[1] as last_modified_at
    from staged_creatives s
    join repeated using (id)
    group by s.id
),
removed as (
    delete from staged_creatives s
    using repeated r
    where s.id = r.id
)
insert into staged_creatives (line, presence, id, campaign_id, account_id, intended_status,
                             is_serving, content_reference, content_name, serving_hold_reasons,
                             created_at, last_modified_at)
select line, presence, id, campaign_id, account_id, intended_status, is_serving,
       content_reference, content_name, serving_hold_reasons, created_at, last_modified_at
from folded;

/* Inserts the staged creatives that are not stored yet (absent fields are NULL),
   in id order. Runs under the ingest's account locks, so no ON CONFLICT is needed;
   a writer that ignores those locks makes this fail (23505), never silently lose. */
/* @name InsertStagedCreatives */
with written as (
    insert into creatives (id, campaign_id, account_id, intended_status, is_serving,
                           content_reference, content_name, serving_hold_reasons, created_at,
                           last_modified_at)
    select s.id, s.campaign_id, s.account_id, s.intended_status, s.is_serving,
           s.content_reference, s.content_name, s.serving_hold_reasons, s.created_at,
           s.last_modified_at
    from staged_creatives s
    where not exists (select 1 from creatives t where t.id = s.id)
    order by s.id
    returning 1
)
select count(*) as "inserted!"
from written;

/* Applies the present fields of staged creatives to the stored rows whose values
   differ: absent keeps, present-with-null clears; unchanged rows are not written. */
/* @name UpdateFromStagedCreatives */
with written as (
    update creatives as t
    set campaign_id          = case when s.presence & 1     = 0 then t.campaign_id          else s.campaign_id end,
        account_id           = case when s.presence & 2     = 0 then t.account_id           else s.account_id end,
        intended_status      = case when s.presence & 4     = 0 then t.intended_status      else s.intended_status end,
        is_serving           = case when s.presence & 8     = 0 then t.is_serving           else s.is_serving end,
        content_reference    = case when s.presence & 16    = 0 then t.content_reference    else s.content_reference end,
        content_name         = case when s.presence & 32    = 0 then t.content_name         else s.content_name end,
        serving_hold_reasons = case when s.presence & 64    = 0 then t.serving_hold_reasons else s.serving_hold_reasons end,
        created_at           = case when s.presence & 128   = 0 then t.created_at           else s.created_at end,
        last_modified_at     = case when s.presence & 256   = 0 then t.last_modified_at     else s.last_modified_at end,
        fetched_at           = now()
    from staged_creatives s
    where t.id = s.id
      and (   (s.presence & 1     <> 0 and t.campaign_id          is distinct from s.campaign_id)
           or (s.presence & 2     <> 0 and t.account_id           is distinct from s.account_id)
           or (s.presence & 4     <> 0 and t.intended_status      is distinct from s.intended_status)
           or (s.presence & 8     <> 0 and t.is_serving           is distinct from s.is_serving)
           or (s.presence & 16    <> 0 and t.content_reference    is distinct from s.content_reference)
           or (s.presence & 32    <> 0 and t.content_name         is distinct from s.content_name)
           or (s.presence & 64    <> 0 and t.serving_hold_reasons is distinct from s.serving_hold_reasons)
           or (s.presence & 128   <> 0 and t.created_at           is distinct from s.created_at)
           or (s.presence & 256   <> 0 and t.last_modified_at     is distinct from s.last_modified_at))
    returning 1
)
select count(*) as "updated!"
from written;
