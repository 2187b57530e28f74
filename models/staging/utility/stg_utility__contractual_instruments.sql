{#- Every contractual_instruments row as landed (every version, every
    column as text, with _row_number and _source_file): the one read of the
    raw table, an optional file (absent: an empty table). Screening
    (int_contractual_instruments_screened) keeps the latest version of each
    key, types it and quarantines what cannot be cleaned. -#}
with

raw_contractual_instruments as (

    select * from {{ source('utility', 'contractual_instruments') }}

)

select * from raw_contractual_instruments
