with

meter_tags as (

    select * from {{ ref('int_meter_tags_clean') }}

),

final as (

    select
        meter_id,
        tag_name
    from meter_tags

)

select * from final
