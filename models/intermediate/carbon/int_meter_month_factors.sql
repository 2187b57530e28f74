{#- The emission factor of each meter-month and method (location,
    residual_mix), docs/methodology.md: the candidate regions in order are
    the site's grid_region (trimmed, upper case), its country, then * (an unassigned
    meter has neither, so * only); the first region with any row for the
    commodity and method serves, and within it the row of the month's year,
    else the latest earlier year, else the earliest later year. A
    meter-month and method without a row has no row here (finding
    no_emission_factor for the location method; residual_mix_unavailable
    where the residual mix is needed). co2e_kg_per_kwh is the factor row's
    co2e rate, co2 + ch4 x gwp_ch4 + n2o x gwp_n2o, kept to 21 decimals
    (exact for whole GWPs such as AR5's). -#}
with

activity as (

    select * from {{ ref('int_meter_monthly_activity') }}

),

factors as (

    select * from {{ ref('int_emission_factors') }}

),

candidates as (

    select
        activity.meter_id,
        activity.month,
        factors.method,
        factors.region as factor_region,
        factors.factor_year,
        factors.co2_kg_per_kwh,
        factors.ch4_kg_per_kwh,
        factors.n2o_kg_per_kwh,
        factors.factor_source,
        case
            when factors.region = upper(trim(activity.grid_region)) then 1
            when factors.region = activity.country_code then 2
            else 3
        end as region_rank,
        cast(extract(year from activity.month) as integer)
            as activity_year
    from activity
    inner join factors
        on
            activity.commodity = factors.commodity
            and (
                upper(trim(activity.grid_region)) = factors.region
                or activity.country_code = factors.region
                or factors.region = '*'
            )

),

ranked as (

    select
        *,
        row_number() over (
            partition by meter_id, month, method
            order by
                region_rank,
                case
                    when factor_year = activity_year then 0
                    when factor_year < activity_year then 1
                    else 2
                end,
                case
                    when factor_year < activity_year then -factor_year
                    else factor_year
                end
        ) as factor_rank
    from candidates

),

final as (

    select
        meter_id,
        month,
        method,
        factor_region,
        factor_year,
        co2_kg_per_kwh,
        ch4_kg_per_kwh,
        n2o_kg_per_kwh,
        cast(
            co2_kg_per_kwh
            + ch4_kg_per_kwh * cast({{ var('gwp_ch4') }} as decimal(9, 6))
            + n2o_kg_per_kwh * cast({{ var('gwp_n2o') }} as decimal(9, 6))
            as decimal(28, 21)
        ) as co2e_kg_per_kwh,
        factor_source
    from ranked
    where factor_rank = 1

)

select * from final
