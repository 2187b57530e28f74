{#- Every usage data row as landed (every version, every column as text, with
    _row_number and _source_file): the one read of the raw table. Screening
    (int_usage_data_screened) keeps the latest version of each key, types it
    and quarantines what cannot be cleaned. -#}
with

raw_usage_data as (

    select * from {{ source('utility', 'usage_data') }}

)

select * from raw_usage_data
