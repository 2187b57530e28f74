{#- Every companies row as landed (every version, every column as text, with
    _row_number and _source_file): the one read of the raw table. Screening
    (int_companies_screened) keeps the latest version of each key, types it
    and quarantines what cannot be cleaned. -#}
with

raw_companies as (

    select * from {{ source('utility', 'companies') }}

)

select * from raw_companies
