{#- Every line items row as landed (every version, every column as text, with
    _row_number and _source_file): the one read of the raw table. Screening
    (int_line_items_screened) keeps the latest version of each key, types it
    and quarantines what cannot be cleaned. -#}
with

raw_line_items as (

    select * from {{ source('utility', 'line_items') }}

)

select * from raw_line_items
