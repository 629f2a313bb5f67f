/* Staged writes into ad_accounts: fold repeated keys, then merge. The staged_ad_accounts
   table these read is the session's temporary copy (migrations/…create-staging-templates.sql). */

/* Folds the lines that repeat a key into one row, in line order: for each
   field, the last line where it is present wins; the folded row keeps the last
   line number. Keys that occur once (the usual case) are not touched. */
/* @name FoldStagedAccounts */
with repeated as (
    select id
    from staged_ad_accounts
    group by id
    having count(*) > 1
),
folded as (
    select s.id, max(s.line) as line, bit_or(s.presence) as presence,
           (array_agg(s.name order by s.line desc) filter (where s.presence & 1 <> 0))[1] as name,
           (array_agg(s.status order by s.line desc) filter (where s.presence & 2 <> 0))[1] as status,
           (array_agg(s.currency order by s.line desc) filter (where s.presence & 4 <> 0))[1] as currency,
           (array_agg(s.type order by s.line desc) filter (where s.presence & 8 <> 0))[1] as type,
           (array_agg(s.is_test order by s.line desc) filter (where s.presence & 16 <> 0))[1] as is_test,
           (array_agg(s.created_at order by s.line desc) filter (where s.presence & 32 <> 0))[1] as created_at
    from staged_ad_accounts s
    join repeated using (id)
    group by s.id
),
removed as (
    delete from staged_ad_accounts s
    using repeated r
    where s.id = r.id
)
insert into staged_ad_accounts (line, presence, id, name, status, currency, type, is_test,
                               created_at)
select line, presence, id, name, status, currency, type, is_test, created_at
from folded;

/* Inserts the staged ad accounts that are not stored yet (absent fields are NULL),
   in id order. Runs under the ingest's account locks, so no ON CONFLICT is needed;
   a writer that ignores those locks makes this fail (23505), never silently lose. */
/* @name InsertStagedAccounts */
with written as (
    insert into ad_accounts (id, name, status, currency, type, is_test, created_at)
    select s.id, s.name, s.status, s.currency, s.type, s.is_test, s.created_at
    from staged_ad_accounts s
    where not exists (select 1 from ad_accounts t where t.id = s.id)
    order by s.id
    returning 1
)
select count(*) as "inserted!"
from written;

/* Applies the present fields of staged ad accounts to the stored rows whose values
   differ: absent keeps, present-with-null clears; unchanged rows are not written. */
/* @name UpdateFromStagedAccounts */
with written as (
    update ad_accounts as t
    set name       = case when s.presence & 1     = 0 then t.name       else s.name end,
        status     = case when s.presence & 2     = 0 then t.status     else s.status end,
        currency   = case when s.presence & 4     = 0 then t.currency   else s.currency end,
        type       = case when s.presence & 8     = 0 then t.type       else s.type end,
        is_test    = case when s.presence & 16    = 0 then t.is_test    else s.is_test end,
        created_at = case when s.presence & 32    = 0 then t.created_at else s.created_at end,
        fetched_at = now()
    from staged_ad_accounts s
    where t.id = s.id
      and (   (s.presence & 1     <> 0 and t.name       is distinct from s.name)
           or (s.presence & 2     <> 0 and t.status     is distinct from s.status)
           or (s.presence & 4     <> 0 and t.currency   is distinct from s.currency)
           or (s.presence & 8     <> 0 and t.type       is distinct from s.type)
           or (s.presence & 16    <> 0 and t.is_test    is distinct from s.is_test)
           or (s.presence & 32    <> 0 and t.created_at is distinct from s.created_at))
    returning 1
)
select count(*) as "updated!"
from written;
