{#- The clean usage rows (those that passed screening) with their meter's
    commodity and usage_unit, the commodity's standard unit (kWh for
    energy, gallons for water and sewer) that standard_usage is in:
    int_usage_data_screened standardized it (as given when usable, else
    raw_usage times the unit factor of the meter's commodity, rounded to
    six decimals) and quarantined the rows that could be neither. -#}
with

screened_usage_data as (

    select * from {{ ref('int_usage_data_screened') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

clean_usage_data as (

    select
        screened_usage_data.usage_id,
        screened_usage_data.document_id,
        screened_usage_data.meter_id,
        screened_usage_data.meter_match_method,
        screened_usage_data.start_date,
        screened_usage_data.end_date,
        meters.commodity,
        screened_usage_data.raw_usage,
        screened_usage_data.raw_usage_unit,
        screened_usage_data.standard_usage,
        commodities.standard_unit as usage_unit,
        screened_usage_data.standardization_method,
        screened_usage_data.is_exclusion,
        screened_usage_data.is_estimated,
        screened_usage_data.net_metering_type,
        screened_usage_data.demand_kw,
        screened_usage_data.extracted_identifiers
    from screened_usage_data
    inner join meters
        on screened_usage_data.meter_id = meters.meter_id
    inner join commodities
        on meters.commodity = commodities.commodity
    where screened_usage_data.quarantine_reason is null

)

select * from clean_usage_data
