{#- Every emission_factors row as landed (every version, every column as text,
    with _row_number and _source_file): the one read of the raw table, an
    optional file (absent: an empty table). Screening
    (int_emission_factors_screened) keeps the latest version of each key, types
    it and quarantines what cannot be cleaned. -#}
with

raw_emission_factors as (

    select * from {{ source('utility', 'emission_factors') }}

)

select * from raw_emission_factors
