{#- sites.country is matched in any case against the alpha-2 and alpha-3
    codes, the names and the aliases of the countries seeds: no spelling
    may name two countries. Fails with each spelling that does. -#}
with

spellings as (

    select
        lower(alpha2) as country_key,
        alpha2
    from {{ ref('countries') }}
    union all
    select
        lower(alpha3) as country_key,
        alpha2
    from {{ ref('countries') }}
    union all
    select
        lower(country_name) as country_key,
        alpha2
    from {{ ref('countries') }}
    union all
    select
        lower(alias) as country_key,
        alpha2
    from {{ ref('country_aliases') }}

)

select
    country_key,
    count(distinct alpha2) as country_count
from spellings
group by country_key
having count(distinct alpha2) > 1
