{#- Implied sewer per site and month (int_sewer_usage_implied): the sewer
    usage the company's implied_sewer_fraction implies from its counted
    water usage at sites without a metered sewer, and that water usage.
    Shown in fct_portfolio_monthly as SEWER rows flagged is_implied; never
    part of metered figures. -#}
with

implied as (

    select * from {{ ref('int_sewer_usage_implied') }}

),

final as (

    select
        company_id,
        site_id,
        month,
        cast(sum(implied_usage) as {{ dbt.type_numeric() }}) as usage,
        usage_unit,
        cast(sum(source_water_usage) as {{ dbt.type_numeric() }})
            as source_water_usage,
        implied_sewer_fraction,
        cast(count(distinct meter_id) as integer) as water_meter_count
    from implied
    group by company_id, site_id, month, usage_unit, implied_sewer_fraction

)

select * from final
