{#- Every usage row of the landing file (latest version per id), typed, with
    its meter, its usage in the commodity's standard unit and the reason it
    is quarantined (null = clean).
    Required: id, document_id, plausible start and end dates (from 1950 to
    a year after the as-of date, end not before start, at most
    implausible_period_days long), a known net_metering_type when given, a
    usable usage (standard_usage, or raw_usage with a unit known for the
    meter's commodity; within max_abs_value) and a meter. A row without
    meter_id takes the meter that int_usage_meters_matched found through
    its extracted identifiers, or that model's reason (missing_meter,
    bad_json, unmatched_meter, ambiguous_meter); meter_match_method tells
    how the meter was found.
    Unit standardization: standard_usage as given when it is a usable
    number, else raw_usage (its unit read through the unit_spellings seed)
    times the unit factor of the meter's commodity (unit_factors), rounded
    to six decimals; standardization_method says which.
    Optional values that cannot be cleaned never cost the row
    (dq_field_issues): raw_usage when standard_usage is used,
    standard_usage when raw_usage is converted instead, demand (a number of
    kW, "45 kW" accepted), exclusion and is_estimated (default false), and
    extracted_identifiers when meter_id is set. A negative usage on an
    IMPORT row that is not an exclusion is kept (it counts as billed) with
    the issue negative_usage on the column that gave it (standard_usage, or
    raw_usage when converted); cost attribution gives it no weight.
    raw_values (the row's raw text as JSON) is kept for the rows that are
    quarantined or have a field issue, the only ones that show it. -#}
with

raw_usage_data as (

    select * from {{ ref('stg_utility__usage_data') }}

),

meter_matches as (

    select * from {{ ref('int_usage_meters_matched') }}

),

documents as (

    select * from {{ ref('int_documents_screened') }}

),

meters as (

    select * from {{ ref('int_meters_screened') }}

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
        {{ parse_number('latest_versions.demand', 'kw') }} as parsed_demand,
        {{ parse_boolean('latest_versions.exclusion', 'false') }}
            as parsed_exclusion,
        {{ parse_boolean('latest_versions.is_estimated', 'false') }}
            as parsed_is_estimated,
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

usage_values_checked as (

    select
        *,
        parsed_standard_usage is not null
        and not {{ is_out_of_range('parsed_standard_usage') }}
            as has_standard_usage,
        parsed_raw_usage is not null
        and not {{ is_out_of_range('parsed_raw_usage') }} as has_raw_usage
    from parsed

),

resolved as (

    select
        usage_values_checked.*,
        coalesce(
            usage_values_checked.parsed_meter_id,
            meter_matches.matched_meter_id
        ) as resolved_meter_id,
        case
            when usage_values_checked.parsed_meter_id is not null
                then 'meter_id'
            else meter_matches.meter_match_method
        end as meter_match_method,
        meter_matches.meter_match_reason
    from usage_values_checked
    left join meter_matches
        on usage_values_checked.usage_id = meter_matches.usage_id

),

standardized as (

    select
        resolved.*,
        meters.commodity,
        meters.quarantine_reason as meter_quarantine_reason,
        meters.meter_id as known_meter_id,
        documents.document_id as known_document_id,
        documents.quarantine_reason as document_quarantine_reason,
        unit_factors.factor_to_standard,
        case
            when resolved.has_standard_usage
                then
                    cast(
                        resolved.parsed_standard_usage
                        as {{ dbt.type_numeric() }}
                    )
            when resolved.has_raw_usage
                then
                    cast(
                        cast(resolved.parsed_raw_usage as decimal(28, 6))
                        * unit_factors.factor_to_standard
                        as decimal(38, 6)
                    )
        end as computed_standard_usage
    from resolved
    left join documents
        on resolved.parsed_document_id = documents.document_id
    left join meters
        on resolved.resolved_meter_id = meters.meter_id
    left join unit_factors
        on
            meters.commodity = unit_factors.commodity
            and resolved.parsed_unit = unit_factors.unit

),

checked as (

    select
        standardized.*,
        net_metering_types.net_metering_type as known_net_metering_type,
        case
            when standardized.usage_id is null then 'missing_id'
            when
                {{ is_json_container('standardized.id') }}
                or {{ is_json_container('standardized.document_id') }}
                or {{ is_json_container('standardized.meter_id') }}
                then 'bad_id'
            when
                standardized.parsed_start_date is null
                or standardized.parsed_end_date is null
                then 'bad_date'
            when
                {{ is_implausible_date('standardized.parsed_start_date') }}
                or {{ is_implausible_date('standardized.parsed_end_date') }}
                then 'implausible_date'
            when standardized.parsed_end_date < standardized.parsed_start_date
                then 'end_before_start'
            when
                {{ dbt.datediff(
                    'standardized.parsed_start_date',
                    'standardized.parsed_end_date',
                    'day'
                ) }} + 1 > {{ var('implausible_period_days') }}
                then 'implausible_period'
            when
                not standardized.has_standard_usage
                and (
                    not (
                        standardized.has_raw_usage
                        or {{ is_blank('standardized.raw_usage') }}
                    )
                    or (
                        {{ is_blank('standardized.raw_usage') }}
                        and not {{ is_blank('standardized.standard_usage') }}
                    )
                )
                then 'bad_number'
            when
                {{ is_blank('standardized.raw_usage') }}
                and {{ is_blank('standardized.standard_usage') }}
                then 'missing_usage'
            when net_metering_types.net_metering_type is null
                then 'unknown_net_metering_type'
            when standardized.known_document_id is null then 'orphan_document'
            when standardized.document_quarantine_reason is not null
                then 'document_quarantined'
            when
                standardized.parsed_meter_id is not null
                and standardized.known_meter_id is null
                then 'orphan_meter'
            when standardized.meter_quarantine_reason is not null
                then 'meter_quarantined'
            when standardized.parsed_meter_id is null
                then standardized.meter_match_reason
        end as match_reason
    from standardized
    left join net_metering_types
        on
            standardized.parsed_net_metering_type
            = net_metering_types.net_metering_type

),

signs_checked as (

    select
        *,
        coalesce(
            parsed_net_metering_type = 'IMPORT'
            and not coalesce(parsed_exclusion, false)
            and computed_standard_usage < 0,
            false
        ) as is_negative_import
    from checked

),

final_checks as (

    select
        *,
        coalesce(
            match_reason,
            case
                when not has_standard_usage and factor_to_standard is null
                    then 'unknown_unit'
                when {{ is_out_of_range('computed_standard_usage') }}
                    then 'bad_number'
            end
        ) as quarantine_reason,
        case
            when
                has_standard_usage
                and not {{ is_blank('raw_usage') }}
                and not has_raw_usage
                then 'bad_number'
            when
                not has_standard_usage
                and is_negative_import
                then 'negative_usage'
        end as raw_usage_issue,
        case
            when
                not has_standard_usage
                and not {{ is_blank('standard_usage') }}
                then 'bad_number'
            when has_standard_usage and is_negative_import
                then 'negative_usage'
        end as standard_usage_issue,
        case
            when {{ is_blank('demand') }} then null
            when
                parsed_demand is null
                or {{ is_out_of_range('parsed_demand') }}
                then 'bad_number'
        end as demand_issue,
        case
            when parsed_exclusion is null then 'bad_boolean'
        end as exclusion_issue,
        case
            when parsed_is_estimated is null then 'bad_boolean'
        end as is_estimated_issue,
        case
            when
                parsed_meter_id is not null
                and not {{ is_blank('extracted_identifiers') }}
                and not {{ is_json_array('extracted_identifiers') }}
                then 'bad_json'
        end as extracted_identifiers_issue,
        {{ unparsed_flag('start_date', 'parsed_start_date') }}
            as start_date_unparsed,
        {{ unparsed_flag('end_date', 'parsed_end_date') }}
            as end_date_unparsed,
        {{ unparsed_flag('raw_usage', 'parsed_raw_usage') }}
            as raw_usage_unparsed,
        {{ unparsed_flag('raw_usage_units', 'parsed_unit') }}
            as raw_usage_units_unparsed,
        {{ unparsed_flag('standard_usage', 'parsed_standard_usage') }}
            as standard_usage_unparsed,
        {{ unparsed_flag('demand', 'parsed_demand') }} as demand_unparsed,
        {{ unparsed_flag('exclusion', 'parsed_exclusion') }}
            as exclusion_unparsed,
        {{ unparsed_flag('is_estimated', 'parsed_is_estimated') }}
            as is_estimated_unparsed,
        {{ unparsed_flag('net_metering_type', 'known_net_metering_type') }}
            as net_metering_type_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed
    from signs_checked

),

screened as (

    select
        usage_id as record_id,
        usage_id,
        parsed_document_id as document_id,
        resolved_meter_id as meter_id,
        meter_match_method,
        parsed_start_date as start_date,
        parsed_end_date as end_date,
        case
            when raw_usage_issue is null and has_raw_usage
                then cast(parsed_raw_usage as {{ dbt.type_numeric() }})
        end as raw_usage,
        coalesce(parsed_unit, {{ clean_text('raw_usage_units') }})
            as raw_usage_unit,
        case
            when quarantine_reason is null
                then cast(computed_standard_usage as {{ dbt.type_numeric() }})
        end as standard_usage,
        case
            when has_standard_usage then 'given' else 'converted'
        end as standardization_method,
        coalesce(parsed_exclusion, false) as is_exclusion,
        coalesce(parsed_is_estimated, false) as is_estimated,
        parsed_net_metering_type as net_metering_type,
        case
            when demand_issue is null
                then cast(parsed_demand as {{ dbt.type_numeric() }})
        end as demand_kw,
        {{ clean_text('extracted_identifiers') }} as extracted_identifiers,
        raw_usage_issue,
        standard_usage_issue,
        demand_issue,
        exclusion_issue,
        is_estimated_issue,
        extracted_identifiers_issue,
        start_date_unparsed,
        end_date_unparsed,
        raw_usage_unparsed,
        raw_usage_units_unparsed,
        standard_usage_unparsed,
        demand_unparsed,
        exclusion_unparsed,
        is_estimated_unparsed,
        net_metering_type_unparsed,
        updated_at_unparsed,
        quarantine_reason,
        case
            when
                quarantine_reason is not null
                or raw_usage_issue is not null
                or standard_usage_issue is not null
                or demand_issue is not null
                or exclusion_issue is not null
                or is_estimated_issue is not null
                or extracted_identifiers_issue is not null
                or coalesce(
                    raw_usage_units_unparsed
                    or raw_usage_unparsed
                    or updated_at_unparsed,
                    false
                )
                then
                    {{ json_object_text([
                        'id', 'document_id', 'meter_id', 'start_date',
                        'end_date', 'raw_usage', 'raw_usage_units',
                        'standard_usage', 'exclusion', 'net_metering_type',
                        'demand', 'extracted_identifiers', 'is_estimated',
                        'updated_at'
                    ]) }}
        end as raw_values
    from final_checks

)

select * from screened
