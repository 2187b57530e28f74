{#- Every finding_reviews row as landed (every column as text, with
    _row_number and _source_file): the one read of the raw table, an
    optional file (absent: an empty table). Screening
    (int_finding_reviews_screened) types it and quarantines what cannot be
    cleaned; every review is kept, only the same review written twice is
    merged (finding_review_key). -#}
with

raw_finding_reviews as (

    select * from {{ source('utility', 'finding_reviews') }}

)

select * from raw_finding_reviews
