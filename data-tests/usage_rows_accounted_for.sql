{#- Quality gate: every raw usage row (after de-duplication by id; blank ids
    each on their own) is counted, excluded or quarantined, exactly once. -#}
with

raw_usage as (

    select {{ raw_record_count('id') }} as raw_rows
    from {{ source('utility', 'usage_data') }}

),

assessed as (

    select sum(case when is_counted then 1 else 0 end) as counted_rows
    from {{ ref('int_usage_inclusion_assessed') }}

),

excluded as (

    select count(*) as excluded_rows from {{ ref('fct_usage_exclusions') }}

),

quarantined as (

    select count(*) as quarantined_rows
    from {{ ref('dq_quarantine') }}
    where entity = 'usage_data'

),

compared as (

    select
        raw_usage.raw_rows,
        coalesce(assessed.counted_rows, 0) as counted_rows,
        excluded.excluded_rows,
        quarantined.quarantined_rows
    from raw_usage
    cross join assessed
    cross join excluded
    cross join quarantined

)

select *
from compared
where raw_rows != counted_rows + excluded_rows + quarantined_rows
