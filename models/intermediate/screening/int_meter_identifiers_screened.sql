{#- Every meter identifier of the landing file, typed, with the reason it is
    quarantined (null = clean). The key is meter, type and normalized value:
    the same identifier written twice (say "12-34" and "1234") is one. -#}
with

raw_meter_identifiers as (

    select * from {{ ref('stg_utility__meter_identifiers') }}

),

meters as (

    select * from {{ ref('int_meters_screened') }}

),

keyed as (

    select
        *,
        {{ meter_identifier_key('meter_id', 'identifier_type', 'value') }}
            as identifier_key
    from raw_meter_identifiers

),

latest_versions as (

    {{ latest_record_per_key('keyed', 'identifier_key') }}

),

parsed as (

    select
        *,
        {{ clean_text('meter_id') }} as parsed_meter_id,
        {{ normalize_enum('identifier_type') }} as parsed_identifier_type,
        {{ normalize_identifier('value') }} as normalized_value
    from latest_versions

),

screened as (

    select
        coalesce(parsed.meter_id, '')
        || '|' || coalesce(parsed.identifier_type, '')
        || '|' || coalesce(parsed.value, '') as record_id,
        parsed.parsed_meter_id as meter_id,
        parsed.parsed_identifier_type as identifier_type,
        {{ clean_text('parsed.value') }} as identifier_value,
        parsed.normalized_value,
        case
            when parsed.parsed_meter_id is null then 'missing_id'
            when {{ is_json_container('parsed.meter_id') }} then 'bad_id'
            when
                parsed.parsed_identifier_type is null
                or parsed.normalized_value is null
                then 'missing_value'
            when meters.meter_id is null then 'orphan_meter'
            when meters.quarantine_reason is not null
                then 'meter_quarantined'
        end as quarantine_reason,
        {{ json_object_text(
            ['meter_id', 'identifier_type', 'value', 'updated_at'], 'parsed'
        ) }} as raw_values
    from parsed
    left join meters
        on parsed.parsed_meter_id = meters.meter_id

)

select * from screened
