{#- Clean usage rows with their usage in the commodity's standard unit (kWh
    for energy, gallons for water and sewer): standard_usage as given when
    the file has it, else raw_usage times the unit factor of the meter's
    commodity kind. Rows that could be neither were quarantined. -#}
with

usage_data as (

    select * from {{ ref('stg_utility__usage_data') }}

),

meters as (

    select * from {{ ref('stg_utility__meters') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

unit_factors as (

    select * from {{ ref('unit_factors') }}

),

standardized as (

    select
        usage_data.usage_id,
        usage_data.document_id,
        usage_data.meter_id,
        usage_data.start_date,
        usage_data.end_date,
        meters.commodity,
        usage_data.raw_usage,
        usage_data.raw_usage_unit,
        cast(
            coalesce(
                usage_data.given_standard_usage,
                usage_data.raw_usage * unit_factors.factor_to_standard
            ) as {{ dbt.type_numeric() }}
        ) as standard_usage,
        commodities.standard_unit as usage_unit,
        case
            when usage_data.given_standard_usage is not null then 'given'
            else 'converted'
        end as standardization_method,
        usage_data.is_exclusion,
        usage_data.net_metering_type,
        usage_data.demand_kw,
        usage_data.meter_match_method
    from usage_data
    inner join meters
        on usage_data.meter_id = meters.meter_id
    inner join commodities
        on meters.commodity = commodities.commodity
    left join unit_factors
        on
            usage_data.raw_usage_unit = unit_factors.unit
            and commodities.commodity_kind = unit_factors.commodity_kind

)

select * from standardized
