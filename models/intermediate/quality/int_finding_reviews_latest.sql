{#- The review in force per finding id: of its clean reviews
    (int_finding_reviews_clean), the one with the latest reviewed_at, then
    the last row. review_count says how many reviews name the id. -#}
with

reviews as (

    select * from {{ ref('int_finding_reviews_clean') }}

),

ranked as (

    select
        finding_id,
        status,
        note,
        reviewed_by,
        reviewed_at,
        _source_file,
        _row_number,
        row_number() over (
            partition by finding_id
            order by reviewed_at desc, _row_number desc
        ) as review_rank,
        count(*) over (partition by finding_id) as review_count
    from reviews

),

final as (

    select
        finding_id,
        status,
        note,
        reviewed_by,
        reviewed_at,
        cast(review_count as integer) as review_count,
        _source_file,
        _row_number
    from ranked
    where review_rank = 1

)

select * from final
