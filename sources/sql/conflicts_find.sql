-- Lines whose key was delivered before (landed, or earlier in this batch) with another payload.
-- A key delivered once in the batch and never before has nothing to conflict with: only
-- repeated or previously seen keys get a reference to compare with. The first delivery of a
-- key is the reference. Hashes tell most rows apart; rows whose hash equals their reference's
-- are compared field by field, so a hash collision cannot pass a different event off as an
-- exact re-delivery.
with all_new as (
    {new_rows}
),

-- Only a key repeated in the batch or seen before can conflict: found first on 64-bit key
-- hashes (cheap to group), then checked exactly on the keys themselves below. A hash collision
-- only adds a key to check.
candidate_hashes as (
    select hash({keys}) as key_hash
    from all_new
    group by key_hash
    having count(*) > 1
    union
    select hash({old_keys}) as key_hash
    from _old_matches as o
),

new_rows as (
    select *
    from all_new
    where hash({keys}) in (select c.key_hash from candidate_hashes as c)
),

first_new as (
    select
        {keys},
        arg_min(h, line_number) as ref_hash,
        min(line_number) as ref_line,
        count(*) > 1 as repeated
    from new_rows
    group by {keys}
),

old_rows as (
    select
        {old_keys},
        min(o.h) as ref_hash,
        arg_min(o.p, o.h) as ref_payload
    from _old_matches as o semi join first_new as f on {old_eq_first}
    group by {old_keys}
),

reference as (
    select
        {first_keys},
        f.ref_line,
        o.ref_payload,
        coalesce(o.ref_hash, f.ref_hash) as reference_hash,
        o.ref_hash is not null as seen_before
    from first_new as f left join old_rows as o using ({keys})
    where f.repeated or o.ref_hash is not null
),

compared as (
    select
        n.line_number,
        r.seen_before,
        r.ref_line,
        r.ref_payload,
        n.h <> r.reference_hash as hash_differs
    from new_rows as n inner join reference as r on {reference_eq_new}
    where n.h <> r.reference_hash or r.seen_before or n.line_number <> r.ref_line
),

exact as (
    select
        line_number,
        {payload} as p
    from read_parquet($new)
    where line_number in (
        select c.line_number from compared as c where not c.hash_differs
        union all
        select c.ref_line from compared as c where not c.hash_differs and not c.seen_before
    )
)

select
    c.line_number,
    c.seen_before
from compared as c
left join exact as new_payload on c.line_number = new_payload.line_number
-- an equality join (a hash join): a condition on seen_before here made it a nested loop
left join exact as ref_payload on c.ref_line = ref_payload.line_number
where
    c.hash_differs
    or new_payload.p is distinct from (
        case when c.seen_before then c.ref_payload else ref_payload.p end
    )
