{#- A meter-month's activity (docs/methodology.md): its counted usage in
    fct_meter_monthly over all its currency rows, energy commodities only.
    fct_meter_monthly.usage is IMPORT consumption with exclusion rows
    negative; EXPORT and GENERATION are apart (export_usage,
    generation_usage) and never net it. Implied sewer and mirror-site
    estimates live in their own marts and carry none. The site's country
    code and its optional grid_region (trimmed, upper case; null for an
    unassigned meter or a site without one) come along for the factor
    lookup. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

clean_sites as (

    select * from {{ ref('int_sites_clean') }}

),

energy_months as (

    select
        meter_id,
        site_id,
        company_id,
        commodity,
        month,
        sum(usage) as activity_kwh
    from meter_monthly
    where
        commodity in (
            {{ sql_string_list(
                var('scope_1_commodities') + var('scope_2_commodities')
            ) }}
        )
    group by meter_id, site_id, company_id, commodity, month

),

final as (

    select
        energy_months.meter_id,
        energy_months.site_id,
        energy_months.company_id,
        energy_months.commodity,
        case
            when
                energy_months.commodity in (
                    {{ sql_string_list(var('scope_1_commodities')) }}
                )
                then 1
            else 2
        end as scope,
        energy_months.month,
        cast(energy_months.activity_kwh as {{ dbt.type_numeric() }})
            as activity_kwh,
        sites.country_code,
        upper(trim(clean_sites.grid_region)) as grid_region
    from energy_months
    left join sites
        on energy_months.site_id = sites.site_id
    left join clean_sites
        on energy_months.site_id = clean_sites.site_id

)

select * from final
