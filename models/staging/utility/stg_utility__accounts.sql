{#- Every accounts row as landed (every version, every column as text, with
    _row_number and _source_file): the one read of the raw table. Screening
    (int_accounts_screened) keeps the latest version of each key, types it and
    quarantines what cannot be cleaned. -#}
with

raw_accounts as (

    select * from {{ source('utility', 'accounts') }}

)

select * from raw_accounts
