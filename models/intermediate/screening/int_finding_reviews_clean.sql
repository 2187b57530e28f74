{#- The clean finding reviews: rows that passed screening, every review of a
    finding kept. The latest reviewed_at per finding wins, then the last row
    (_source_file, _row_number): decided where the reviews are applied
    (dq_findings). -#}
with

screened_finding_reviews as (

    select * from {{ ref('int_finding_reviews_screened') }}

),

clean_finding_reviews as (

    select
        finding_id,
        status,
        note,
        reviewed_by,
        reviewed_at,
        _row_number,
        _source_file
    from screened_finding_reviews
    where quarantine_reason is null

)

select * from clean_finding_reviews
