{#- Every usage row of the landing file (latest version per id), typed, with
    its meter resolved and the reason it is quarantined (null = clean). A row
    without meter_id is matched through its extracted identifiers to the one
    clean meter of the bill's company holding that identifier value. -#}
with

raw_usage_data as (

    select * from {{ source('utility', 'usage_data') }}

),

documents as (

    select * from {{ ref('stg_utility__documents_screened') }}

),

accounts as (

    select * from {{ ref('stg_utility__accounts_screened') }}

),

meters as (

    select * from {{ ref('stg_utility__meters_screened') }}

),

meter_identifiers as (

    select * from {{ ref('stg_utility__meter_identifiers_screened') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

unit_spellings as (

    select * from {{ ref('unit_spellings') }}

),

unit_factors as (

    select * from {{ ref('unit_factors') }}

),

net_metering_types as (

    select enum_value as net_metering_type
    from {{ ref('enumerations') }}
    where enumeration = 'net_metering_type'

),

latest_versions as (

    {{ latest_record_per_key('raw_usage_data', 'id') }}

),

parsed as (

    select
        latest_versions.*,
        {{ clean_text('latest_versions.id') }} as usage_id,
        {{ clean_text('latest_versions.document_id') }} as parsed_document_id,
        {{ clean_text('latest_versions.meter_id') }} as parsed_meter_id,
        {{ parse_date('latest_versions.start_date') }} as parsed_start_date,
        {{ parse_date('latest_versions.end_date') }} as parsed_end_date,
        {{ parse_number('latest_versions.raw_usage') }} as parsed_raw_usage,
        {{ parse_number('latest_versions.standard_usage') }}
            as parsed_standard_usage,
        {{ parse_number('latest_versions.demand') }} as parsed_demand,
        {{ parse_boolean('latest_versions.exclusion', 'false') }}
            as parsed_exclusion,
        coalesce(
            {{ normalize_enum('latest_versions.net_metering_type') }}, 'IMPORT'
        ) as parsed_net_metering_type,
        unit_spellings.unit as parsed_unit
    from latest_versions
    left join unit_spellings
        on
            lower(replace(trim(latest_versions.raw_usage_units), ' ', ''))
            = unit_spellings.spelling

),

extracted_identifiers as (

    {{ unnest_json_identifiers(
        'parsed', 'usage_id', 'extracted_identifiers'
    ) }}

),

identifier_matches as (

    select
        extracted_identifiers.record_id as usage_id,
        min(meter_identifiers.meter_id) as matched_meter_id,
        count(distinct meter_identifiers.meter_id) as matched_meter_count
    from extracted_identifiers
    inner join parsed
        on extracted_identifiers.record_id = parsed.usage_id
    inner join documents
        on parsed.parsed_document_id = documents.document_id
    inner join accounts
        on documents.account_id = accounts.account_id
    inner join meter_identifiers
        on
            {{ normalize_identifier('extracted_identifiers.identifier_value') }}
            = meter_identifiers.normalized_value
    inner join meters
        on meter_identifiers.meter_id = meters.meter_id
    where
        parsed.parsed_meter_id is null
        and meter_identifiers.quarantine_reason is null
        and meters.quarantine_reason is null
        and meters.company_id = accounts.company_id
    group by extracted_identifiers.record_id

),

resolved as (

    select
        parsed.*,
        coalesce(
            parsed.parsed_meter_id,
            case
                when identifier_matches.matched_meter_count = 1
                    then identifier_matches.matched_meter_id
            end
        ) as resolved_meter_id,
        case
            when parsed.parsed_meter_id is not null then 'meter_id'
            when identifier_matches.matched_meter_count = 1
                then 'extracted_identifier'
        end as meter_match_method
    from parsed
    left join identifier_matches
        on parsed.usage_id = identifier_matches.usage_id

),

screened as (

    select
        resolved.usage_id as record_id,
        resolved.usage_id,
        resolved.parsed_document_id as document_id,
        resolved.resolved_meter_id as meter_id,
        resolved.meter_match_method,
        resolved.parsed_start_date as start_date,
        resolved.parsed_end_date as end_date,
        resolved.parsed_raw_usage as raw_usage,
        coalesce(
            resolved.parsed_unit, {{ clean_text('resolved.raw_usage_units') }}
        ) as raw_usage_unit,
        resolved.parsed_standard_usage as given_standard_usage,
        resolved.parsed_exclusion as is_exclusion,
        resolved.parsed_net_metering_type as net_metering_type,
        resolved.parsed_demand as demand_kw,
        {{ clean_text('resolved.extracted_identifiers') }}
            as extracted_identifiers,
        case
            when resolved.usage_id is null then 'missing_id'
            when
                resolved.parsed_start_date is null
                or resolved.parsed_end_date is null
                then 'bad_date'
            when resolved.parsed_end_date < resolved.parsed_start_date
                then 'end_before_start'
            when
                (
                    not {{ is_blank('resolved.raw_usage') }}
                    and resolved.parsed_raw_usage is null
                )
                or (
                    not {{ is_blank('resolved.standard_usage') }}
                    and resolved.parsed_standard_usage is null
                )
                or (
                    not {{ is_blank('resolved.demand') }}
                    and resolved.parsed_demand is null
                )
                then 'bad_number'
            when
                resolved.parsed_raw_usage is null
                and resolved.parsed_standard_usage is null
                then 'missing_usage'
            when resolved.parsed_exclusion is null then 'bad_boolean'
            when net_metering_types.net_metering_type is null
                then 'unknown_net_metering_type'
            when
                resolved.parsed_standard_usage is null
                and resolved.parsed_unit is null
                then 'unknown_unit'
            when
                not {{ is_blank('resolved.extracted_identifiers') }}
                and not {{ is_json_array('resolved.extracted_identifiers') }}
                then 'bad_json'
            when documents.document_id is null then 'orphan_document'
            when documents.quarantine_reason is not null
                then 'document_quarantined'
            when
                resolved.parsed_meter_id is not null and meters.meter_id is null
                then 'orphan_meter'
            when resolved.resolved_meter_id is null then 'unmatched_meter'
            when meters.quarantine_reason is not null
                then 'meter_quarantined'
            when
                resolved.parsed_standard_usage is null
                and unit_factors.unit is null
                then 'unknown_unit'
        end as quarantine_reason,
        {{ json_object_text([
            'id', 'document_id', 'meter_id', 'start_date', 'end_date',
            'raw_usage', 'raw_usage_units', 'standard_usage', 'exclusion',
            'net_metering_type', 'demand', 'extracted_identifiers',
            'updated_at'
        ], 'resolved') }} as raw_values
    from resolved
    left join net_metering_types
        on
            resolved.parsed_net_metering_type
            = net_metering_types.net_metering_type
    left join documents
        on resolved.parsed_document_id = documents.document_id
    left join meters
        on resolved.resolved_meter_id = meters.meter_id
    left join commodities
        on meters.commodity = commodities.commodity
    left join unit_factors
        on
            resolved.parsed_unit = unit_factors.unit
            and commodities.commodity_kind = unit_factors.commodity_kind

)

select * from screened
