{#- Clean usage rows with their meter's commodity and their usage in the
    commodity's standard unit (kWh for energy, gallons for water and sewer):
    standard_usage as given when it is a usable number, else raw_usage
    times the unit factor of the meter's commodity, rounded to six decimals
    (screening did both and quarantined rows that could be neither). -#}
with

usage_data as (

    select * from {{ ref('int_usage_data_clean') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

commodities as (

    select * from {{ ref('commodities') }}

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
        usage_data.standard_usage,
        commodities.standard_unit as usage_unit,
        usage_data.standardization_method,
        usage_data.is_exclusion,
        usage_data.is_estimated,
        usage_data.net_metering_type,
        usage_data.demand_kw,
        usage_data.meter_match_method
    from usage_data
    inner join meters
        on usage_data.meter_id = meters.meter_id
    inner join commodities
        on meters.commodity = commodities.commodity

)

select * from standardized
