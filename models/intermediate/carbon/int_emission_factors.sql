{#- The emission factors the lookup reads: the emission_factors seed, its
    region and commodity trimmed in upper case, its method in lower case.
    The seam for the optional landing entity emission_factors (same
    columns): its rows will be added here and replace the seed's rows with
    the same region, commodity, year and method. -#}
with

seed_factors as (

    select * from {{ ref('emission_factors') }}

),

final as (

    select
        upper(trim(seed_factors.region)) as region,
        upper(trim(seed_factors.commodity)) as commodity,
        cast(seed_factors.year as integer) as factor_year,
        lower(trim(method)) as method,
        co2_kg_per_kwh,
        ch4_kg_per_kwh,
        n2o_kg_per_kwh,
        source as factor_source,
        'seed' as factor_origin
    from seed_factors

)

select * from final
