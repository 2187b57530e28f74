with

meter_tags as (

    select * from {{ ref('stg_utility__meter_tags') }}

),

final as (

    select
        meter_id,
        tag_name
    from meter_tags

)

select * from final
