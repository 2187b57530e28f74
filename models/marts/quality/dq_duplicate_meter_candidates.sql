{#- Meters that may be one meter entered twice: two clean meters of one
    company, neither marked duplicate, that share an identifier (same type
    and normalized value). One row per pair and shared identifier:
    meter_id is the greater id (ids compare as strings). -#}
with

meters as (

    select * from {{ ref('int_meters_clean') }}

),

meter_identifiers as (

    select * from {{ ref('int_meter_identifiers_clean') }}

),

candidate_identifiers as (

    select
        meter_identifiers.meter_id,
        meters.company_id,
        meter_identifiers.identifier_type,
        meter_identifiers.normalized_value
    from meter_identifiers
    inner join meters
        on meter_identifiers.meter_id = meters.meter_id
    where not meters.is_duplicated

),

pairs as (

    select
        later.meter_id,
        earlier.meter_id as duplicate_of_meter_id,
        later.company_id,
        later.identifier_type,
        later.normalized_value
    from candidate_identifiers as later
    inner join candidate_identifiers as earlier
        on
            later.company_id = earlier.company_id
            and later.identifier_type = earlier.identifier_type
            and later.normalized_value = earlier.normalized_value
            and {{ binary_collated('later.meter_id') }}
            > {{ binary_collated('earlier.meter_id') }}

)

select * from pairs
