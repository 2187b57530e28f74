{#- Every documents row as landed (every version, every column as text, with
    _row_number and _source_file): the one read of the raw table. Screening
    (int_documents_screened) keeps the latest version of each key, types it
    and quarantines what cannot be cleaned. -#}
with

raw_documents as (

    select * from {{ source('utility', 'documents') }}

)

select * from raw_documents
