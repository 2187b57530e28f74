{#- Every meter tag of the landing file, trimmed, with the reason it is
    quarantined (null = clean). The key is meter and tag. -#}
with

raw_meter_tags as (

    select * from {{ ref('stg_utility__meter_tags') }}

),

meters as (

    select * from {{ ref('int_meters_screened') }}

),

keyed as (

    select
        *,
        {{ meter_tag_key('meter_id', 'tag_name') }}
            as tag_key
    from raw_meter_tags

),

latest_versions as (

    {{ latest_record_per_key('keyed', 'tag_key') }}

),

screened as (

    select
        coalesce(latest_versions.meter_id, '')
        || '|' || coalesce(latest_versions.tag_name, '') as record_id,
        {{ clean_text('latest_versions.meter_id') }} as meter_id,
        {{ clean_text('latest_versions.tag_name') }} as tag_name,
        case
            when {{ is_blank('latest_versions.meter_id') }} then 'missing_id'
            when {{ is_json_container('latest_versions.meter_id') }}
                then 'bad_id'
            when {{ is_blank('latest_versions.tag_name') }}
                then 'missing_value'
            when meters.meter_id is null then 'orphan_meter'
            when meters.quarantine_reason is not null
                then 'meter_quarantined'
        end as quarantine_reason,
        {{ json_object_text(
            ['meter_id', 'tag_name', 'updated_at'], 'latest_versions'
        ) }} as raw_values
    from latest_versions
    left join meters
        on trim(latest_versions.meter_id) = meters.meter_id

)

select * from screened
