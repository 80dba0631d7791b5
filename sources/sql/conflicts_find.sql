-- Lines whose key was delivered before (landed, or earlier in this batch) with another hash.
-- A key delivered once in the batch and never before has nothing to conflict with: only
-- repeated or previously seen keys get a reference to compare with. The first delivery of a
-- key is the reference.
with new_rows as (
    {new_rows}
),

first_new as (
    select
        {keys},
        arg_min(h, line_number) as ref_hash,
        count(*) > 1 as repeated
    from new_rows
    group by {keys}
),

old_rows as (
    select
        {old_keys},
        any_value(o.h) as ref_hash
    from _old_matches as o semi join first_new as f on {old_eq_first}
    group by {old_keys}
),

reference as (
    select
        {first_keys},
        coalesce(o.ref_hash, f.ref_hash) as reference_hash,
        o.ref_hash is not null as seen_before
    from first_new as f left join old_rows as o using ({keys})
    where f.repeated or o.ref_hash is not null
)

select
    n.line_number,
    r.seen_before
from new_rows as n inner join reference as r on {reference_eq_new}
where n.h <> r.reference_hash
