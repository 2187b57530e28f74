{#- charges_units is matched in any case with spaces removed: no two rows of
    the currencies and currency_symbols seeds may read the same. Fails with
    each spelling that names two rows. -#}
with

spellings as (

    select upper(currency_code) as currency_key
    from {{ ref('currencies') }}
    union all
    select upper(replace(symbol, ' ', '')) as currency_key
    from {{ ref('currency_symbols') }}

)

select
    currency_key,
    count(*) as row_count
from spellings
group by currency_key
having count(*) > 1
