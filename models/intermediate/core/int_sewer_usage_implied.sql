{#- Implied sewer: for a company with an implied_sewer_fraction f
    (0 < f <= 1), every counted WATER usage row (IMPORT; an exclusion row
    stays negative) of a meter assigned to a site that has no tracked,
    non-duplicated SEWER meter (at any time) implies SEWER usage of f times
    its usage in gallons (six decimals, half away from zero) over the same
    period, calendarized the same way, in the water bill's currency, with
    cost 0. One row per water usage row and month. -#}
with

assessed as (

    select * from {{ ref('int_usage_inclusion_assessed') }}

),

companies as (

    select * from {{ ref('int_companies_clean') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

metered_sewer_sites as (

    select distinct site_id
    from meters
    where
        commodity = 'SEWER'
        and is_tracked
        and not is_duplicated
        and site_id is not null

),

implying_rows as (

    select
        assessed.usage_id,
        assessed.document_id,
        assessed.meter_id,
        assessed.company_id,
        assessed.site_id,
        assessed.currency,
        assessed.start_date,
        assessed.end_date,
        assessed.is_exclusion,
        companies.implied_sewer_fraction,
        assessed.standard_usage as water_usage,
        cast(
            companies.implied_sewer_fraction * assessed.standard_usage
            as {{ dbt.type_numeric() }}
        ) as implied_usage
    from assessed
    inner join companies
        on assessed.company_id = companies.company_id
    left join metered_sewer_sites
        on assessed.site_id = metered_sewer_sites.site_id
    where
        assessed.is_counted
        and assessed.commodity = 'WATER'
        and assessed.net_metering_type = 'IMPORT'
        and assessed.site_id is not null
        and metered_sewer_sites.site_id is null
        and companies.implied_sewer_fraction > 0

),

calendarized as (

    {{ calendarize(
        'implying_rows', 'start_date', 'end_date',
        ['water_usage', 'implied_usage']
    ) }}

),

final as (

    select
        usage_id,
        document_id,
        meter_id,
        company_id,
        site_id,
        month,
        currency,
        implied_sewer_fraction,
        case
            when is_exclusion then -water_usage_in_month
            else water_usage_in_month
        end as source_water_usage,
        case
            when is_exclusion then -implied_usage_in_month
            else implied_usage_in_month
        end as implied_usage,
        'gal' as usage_unit
    from calendarized

)

select * from final
