{#- What each enumeration and boolean column of the landing accepts, as the
    text a person reads next to a rejected value (dq_rejected_values,
    dq_quarantine.reason_detail): the values in their documented order
    (enumerations and commodities seeds), the usage units of the unit
    seeds, the boolean spellings, and a pointer to the currency and country
    seeds. One row per entity and column, with the reason a rejected value
    gets (quarantine or field issue). -#}
with

enumerations as (

    select * from {{ ref('enumerations') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

unit_factors as (

    select * from {{ ref('unit_factors') }}

),

enumeration_lists as (

    select
        enumeration,
        {{ dbt.listagg('enum_value', "', '", 'order by value_order') }}
            as accepted_values
    from enumerations
    group by enumeration

),

commodity_list as (

    select
        {{ dbt.listagg('commodity', "', '", 'order by commodity_order') }}
            as accepted_values
    from commodities

),

unit_list as (

    select
        {{ dbt.listagg(
            'unit', "', '", 'order by ' ~ binary_collated('unit')
        ) }} as accepted_values
    from (select distinct unit from unit_factors) as units

),

boolean_columns as (

    select
        'meters' as entity,
        'is_tracked' as column_name,
        'true' as default_value
    union all
    select
        'meters' as entity,
        'is_duplicated' as column_name,
        'false' as default_value
    union all
    select
        'usage_data' as entity,
        'exclusion' as column_name,
        'false' as default_value
    union all
    select
        'usage_data' as entity,
        'is_estimated' as column_name,
        'false' as default_value

),

listed as (

    select
        'accounts' as entity,
        'status' as column_name,
        'unknown_status' as rejection_reason,
        accepted_values
    from enumeration_lists
    where enumeration = 'account_status'
    union all
    select
        'usage_data' as entity,
        'net_metering_type' as column_name,
        'unknown_net_metering_type' as rejection_reason,
        accepted_values || ' (empty = IMPORT)' as accepted_values
    from enumeration_lists
    where enumeration = 'net_metering_type'
    union all
    select
        'line_items' as entity,
        'charge_type' as column_name,
        'unknown_charge_type' as rejection_reason,
        accepted_values
    from enumeration_lists
    where enumeration = 'charge_type'
    union all
    select
        'sites' as entity,
        'gross_floor_area_units' as column_name,
        'unknown_unit' as rejection_reason,
        accepted_values || ' (empty = SQ_FT)' as accepted_values
    from enumeration_lists
    where enumeration = 'floor_area_unit'
    union all
    select
        'meters' as entity,
        'datasource_type' as column_name,
        'unknown_commodity' as rejection_reason,
        accepted_values
    from commodity_list
    union all
    select
        'line_items' as entity,
        'datasource_type' as column_name,
        'unknown_commodity' as rejection_reason,
        accepted_values
    from commodity_list
    union all
    select
        'emission_factors' as entity,
        'commodity' as column_name,
        'unknown_commodity' as rejection_reason,
        accepted_values || ' (energy commodities only: not WATER, SEWER)'
            as accepted_values
    from commodity_list
    union all
    select
        'contractual_instruments' as entity,
        'commodity' as column_name,
        'unknown_commodity' as rejection_reason,
        accepted_values || ' (empty = ELECTRICITY)' as accepted_values
    from commodity_list
    union all
    select
        'finding_reviews' as entity,
        'status' as column_name,
        'unknown_status' as rejection_reason,
        accepted_values
    from enumeration_lists
    where enumeration = 'review_status'
    union all
    select
        'usage_data' as entity,
        'raw_usage_units' as column_name,
        'unknown_unit' as rejection_reason,
        accepted_values || ' (in any case; see the unit_spellings seed)'
            as accepted_values
    from unit_list
    union all
    select
        booleans.entity,
        booleans.column_name,
        'bad_boolean' as rejection_reason,
        'true, false, t, f, yes, no, y, n, 1, 0 (any case; empty = '
        || booleans.default_value || ')' as accepted_values
    from boolean_columns as booleans
    union all
    select
        'documents' as entity,
        'charges_units' as column_name,
        'unknown_currency' as rejection_reason,
        'an ISO 4217 code (currencies seed) or a currency symbol'
        || ' (currency_symbols seed), in any case; a symbol several'
        || ' currencies use, or none, when the sites of the bill share one'
        || ' currency' as accepted_values
    union all
    select
        'sites' as entity,
        'country' as column_name,
        'unknown_country' as rejection_reason,
        'an ISO 3166-1 alpha-2 or alpha-3 code, English short name or alias'
        || ' (countries and country_aliases seeds), in any case'
            as accepted_values
    union all
    select
        'contractual_instruments' as entity,
        'market' as column_name,
        'unknown_country' as rejection_reason,
        'an ISO 3166-1 alpha-2 or alpha-3 code, English short name or alias'
        || ' (countries and country_aliases seeds), in any case; empty = no'
        || ' restriction' as accepted_values

)

select * from listed
