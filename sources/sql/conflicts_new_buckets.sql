-- A big batch spread once into buckets of keys (spilled to disk beyond the memory limit): a
-- key's rows all fall in one bucket, so each bucket is checked exactly on its own.
create or replace temp table _new_rows as
select
    hash({keys}) % $n as bucket,
    {keys},
    {hash_column} as h,
    line_number
from read_parquet($new)
