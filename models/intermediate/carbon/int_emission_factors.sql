{#- The emission factors the lookup reads: the emission_factors seed and the
    clean rows of the optional landing entity emission_factors (same
    columns), region and commodity trimmed in upper case, method in lower
    case. A landing row adds to the seed and replaces the seed's row with
    the same region, commodity, year and method; factor_origin says which
    (landing or seed). Landing rows whose keys read alike once typed ("2024"
    and "2024.0") keep one: the latest version by updated_at, then the
    last in the file, as for every landing key. -#}
with

seed_factors as (

    select * from {{ ref('emission_factors') }}

),

landing_factors as (

    select * from {{ ref('int_emission_factors_clean') }}

),

seed_rows as (

    select
        upper(trim(region)) as region,
        upper(trim(commodity)) as commodity,
        cast(year as integer) as factor_year,
        lower(trim(method)) as method,
        cast(co2_kg_per_kwh as decimal(24, 21)) as co2_kg_per_kwh,
        cast(ch4_kg_per_kwh as decimal(24, 21)) as ch4_kg_per_kwh,
        cast(n2o_kg_per_kwh as decimal(24, 21)) as n2o_kg_per_kwh,
        source as factor_source,
        'seed' as factor_origin,
        cast(null as {{ dbt.type_string() }}) as updated_at,
        cast(null as {{ dbt.type_int() }}) as _row_number
    from seed_factors

),

landing_rows as (

    select
        region,
        commodity,
        factor_year,
        method,
        cast(co2_kg_per_kwh as decimal(24, 21)) as co2_kg_per_kwh,
        cast(ch4_kg_per_kwh as decimal(24, 21)) as ch4_kg_per_kwh,
        cast(n2o_kg_per_kwh as decimal(24, 21)) as n2o_kg_per_kwh,
        factor_source,
        'landing' as factor_origin,
        updated_at,
        _row_number
    from landing_factors

),

combined as (

    select * from landing_rows
    union all
    select * from seed_rows

),

ranked as (

    select
        *,
        row_number() over (
            partition by region, commodity, factor_year, method
            order by
                case when factor_origin = 'landing' then 0 else 1 end,
                {{ record_version_order() }}
        ) as origin_rank
    from combined

),

final as (

    select
        region,
        commodity,
        factor_year,
        method,
        co2_kg_per_kwh,
        ch4_kg_per_kwh,
        n2o_kg_per_kwh,
        factor_source,
        factor_origin
    from ranked
    where origin_rank = 1

)

select * from final
