{#- Nothing is lost in staging: the distinct keys of the raw table (each row
    with a blank key counted on its own) equal the clean rows of `model` plus
    the quarantined rows of `entity`. `key_expression` is the raw table's key
    as SQL (for most entities its id). Fails with one row when they differ. -#}
{% test raw_rows_accounted_for(model, source_table, entity, key_expression) %}

with

raw_keys as (

    select {{ raw_record_count(key_expression) }} as raw_records
    from {{ source('utility', source_table) }}

),

staged as (

    select count(*) as staged_records from {{ model }}

),

quarantined as (

    select count(*) as quarantined_records
    from {{ ref('dq_quarantine') }}
    where entity = '{{ entity }}'

),

compared as (

    select
        raw_keys.raw_records,
        staged.staged_records,
        quarantined.quarantined_records
    from raw_keys
    cross join staged
    cross join quarantined

)

select *
from compared
where raw_records != staged_records + quarantined_records

{% endtest %}
