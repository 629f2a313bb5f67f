/* Queries of ad_accounts. Bulk writes take one array per column (unnest), so
   one statement serves any row count without nearing the 65,535 bind-parameter
   limit, and an empty batch is a harmless no-op. */

/* @name GetAccountById */
select id, name, status, currency, type, is_test, created_at, fetched_at
from ad_accounts
where id = :id!;

/* @name ListAccountsByIds */
select id, name, status, currency, type, is_test, created_at, fetched_at
from ad_accounts
where id = any(:ids!::bigint[])
order by id;

/* The specification's "accounts ordered by name"; id breaks ties, unnamed accounts last. */
/* @name ListAccountsByName */
select id, name, status, currency, type, is_test, created_at, fetched_at
from ad_accounts
order by name, id;

/* Step 1 of a merge: insert the accounts not stored yet (absent fields are NULL).
   Sorted by id, so concurrent writers meet conflicting keys in one order. */
/* @name InsertNewAccounts */
with written as (
    insert into ad_accounts (id, name, status, currency, type, is_test, created_at)
    select s.id, s.name, s.status, s.currency, s.type, s.is_test, s.created_at
    from unnest(:ids!::bigint[], :names!::text[], :statuses!::text[], :currencies!::text[],
                :types!::text[], :isTests!::boolean[], :createdAts!::timestamptz[])
             as s (id, name, status, currency, type, is_test, created_at)
    order by s.id
    on conflict (id) do nothing
    returning 1
)
select count(*) as "inserted!"
from written;

/* Step 2: lock the stored rows of the batch in id order, so that two merges of
   overlapping accounts queue instead of deadlocking in step 3. */
/* @name LockAccounts */
select id
from ad_accounts
where id = any(:ids!::bigint[])
order by id
for update;

/* Step 3: apply the fields present in each element. Bit i of `presence` marks
   field i present (src/store/presence.ts keeps the order): absent keeps the stored
   value, present-with-null clears it. Rows whose values would not change are not
   written at all: no new row version, fetched_at kept. */
/* @name UpdateAccounts */
with written as (
    update ad_accounts as t
    set name       = case when s.presence & 1     = 0 then t.name       else s.name end,
        status     = case when s.presence & 2     = 0 then t.status     else s.status end,
        currency   = case when s.presence & 4     = 0 then t.currency   else s.currency end,
        type       = case when s.presence & 8     = 0 then t.type       else s.type end,
        is_test    = case when s.presence & 16    = 0 then t.is_test    else s.is_test end,
        created_at = case when s.presence & 32    = 0 then t.created_at else s.created_at end,
        fetched_at = now()
    from unnest(:ids!::bigint[], :presence!::integer[], :names!::text[], :statuses!::text[],
                :currencies!::text[], :types!::text[], :isTests!::boolean[],
                :createdAts!::timestamptz[])
             as s (id, presence, name, status, currency, type, is_test, created_at)
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

