{#- Each contractual instrument's quantity spread over the calendar months
    of its period like usage (inclusive daily proration, cumulative
    rounding: calendarize), one row per instrument and month. An empty
    site_id is a company-wide instrument; an empty market no country
    restriction; an empty commodity ELECTRICITY; an empty quantity
    unlimited (null in every month). -#}
with

instruments as (

    select
        instrument_id,
        company_id,
        nullif(trim(site_id), '') as site_id,
        upper(nullif(trim(market), '')) as market,
        coalesce(upper(nullif(trim(commodity), '')), 'ELECTRICITY')
            as commodity,
        start_date,
        end_date,
        quantity_kwh,
        co2e_kg_per_kwh,
        instrument_type
    from {{ ref('int_contractual_instruments') }}

),

spread as (

    {{ calendarize('instruments', 'start_date', 'end_date', ['quantity_kwh']) }}

),

final as (

    select
        instrument_id,
        company_id,
        site_id,
        market,
        commodity,
        month,
        quantity_kwh_in_month as quantity_kwh,
        co2e_kg_per_kwh,
        instrument_type
    from spread

)

select * from final
