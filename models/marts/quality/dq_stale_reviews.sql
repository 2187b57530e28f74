{#- Reviews that name no current finding: per finding id of the landing's
    finding_reviews, the review in force (the latest reviewed_at, then the
    last row) when no row of dq_findings has that id. The finding went away
    (its bill was revised, the gap was filled) or the id was mistyped; the
    review is listed here, never lost, and applies again if the finding
    comes back. -#}
with

reviews as (

    select * from {{ ref('int_finding_reviews_latest') }}

),

findings as (

    select * from {{ ref('dq_findings') }}

),

final as (

    select
        reviews.finding_id,
        reviews.status,
        reviews.note,
        reviews.reviewed_by,
        reviews.reviewed_at,
        reviews.review_count,
        reviews._source_file as source_file,
        reviews._row_number as record_number
    from reviews
    left join findings
        on reviews.finding_id = findings.finding_id
    where findings.finding_id is null

)

select * from final
