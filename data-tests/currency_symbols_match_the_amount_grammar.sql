{#- The currency_symbols seed (which charges_units reads) and the macro
    currency_symbols() (which the amount grammar reads) list the same
    symbols: fails with each symbol found on one side only. -#}
with

seeded as (

    select symbol from {{ ref('currency_symbols') }}

),

in_grammar as (

    -- noqa: disable=LT02,LT05
    {%- for symbol in currency_symbols() %}
    select {{ sql_string_literal(symbol) }} as symbol
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

    -- noqa: enable=LT02,LT05
),

compared as (

    select
        coalesce(seeded.symbol, in_grammar.symbol) as symbol,
        seeded.symbol is not null as is_seeded,
        in_grammar.symbol is not null as is_in_grammar
    from seeded
    full outer join in_grammar
        on seeded.symbol = in_grammar.symbol

)

select * from compared
where not (is_seeded and is_in_grammar)
