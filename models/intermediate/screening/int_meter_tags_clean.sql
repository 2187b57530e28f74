{#- The clean meter tags: rows that passed screening. -#}
with

screened_meter_tags as (

    select * from {{ ref('int_meter_tags_screened') }}

),

clean_meter_tags as (

    select
        meter_id,
        tag_name
    from screened_meter_tags
    where quarantine_reason is null

)

select * from clean_meter_tags
