{#- Every meter identifiers row as landed (every version, every column as
    text, with _row_number and _source_file): the one read of the raw table.
    Screening (int_meter_identifiers_screened) keeps the latest version of
    each key, types it and quarantines what cannot be cleaned. -#}
with

raw_meter_identifiers as (

    select * from {{ source('utility', 'meter_identifiers') }}

)

select * from raw_meter_identifiers
