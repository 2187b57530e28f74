{#- Every meter tags row as landed (every version, every column as text, with
    _row_number and _source_file): the one read of the raw table. Screening
    (int_meter_tags_screened) keeps the latest version of each key, types it
    and quarantines what cannot be cleaned. -#}
with

raw_meter_tags as (

    select * from {{ source('utility', 'meter_tags') }}

)

select * from raw_meter_tags
