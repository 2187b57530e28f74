{#- round(quantity x rate, 6), half away from zero, exactly: the quantity
    has at most six decimals (numeric(28,6) and its sums, below 10^12 in
    magnitude), the rate at most 21 (an emission factor's decimal(24,21), a
    co2e rate's decimal(28,21), an instrument's decimal(28,18), a kBtu
    factor or a source-to-site ratio) and is below 10^6 in magnitude.
    Result: numeric(28,6). Dispatched: PostgreSQL multiplies exactly and
    rounds once in the cast; DuckDB and Spark keep at most 38 digits, so
    they compute in whole numbers. -#}
{% macro product_to_micros(quantity, rate) -%}
    {{ return(adapter.dispatch('product_to_micros', 'utility_warehouse')(
        quantity, rate)) }}
{%- endmacro %}

{% macro default__product_to_micros(quantity, rate) -%}
    cast(({{ quantity }}) * ({{ rate }}) as {{ dbt.type_numeric() }})
{%- endmacro %}

{#- DuckDB types a product of decimal(28,6) and decimal(24,21)
    decimal(38,27), which overflows from 10^11 (an error that stops the
    build). Here in hugeint (38 digits, exact): a = |quantity| x 10^6 and
    |rate| x 10^21 = f_hi x 10^12 + f_lo, f_hi the whole part of |rate| x
    10^9 and f_lo its fraction x 10^12 (|rate| x 10^21 itself would
    overflow decimal(38,21)). The product in 10^-15 is a x f_hi + a x f_lo
    / 10^12; the fraction the integer division drops is below 1 and cannot
    move a half of 10^9, so adding half of 10^9 and dividing by 10^9 gives
    the millionths, halves away from zero once the sign is applied. Every
    intermediate stays below 10^33 for quantities below 10^13 and rates
    below 10^6. -#}
{% macro duckdb__product_to_micros(quantity, rate) -%}
    {%- set a = (
        'cast(cast(abs(' ~ quantity ~ ') as decimal(38, 6)) * 1000000 as hugeint)'
    ) -%}
    {%- set scaled = (
        '(cast(abs(' ~ rate ~ ') as decimal(38, 21))'
        ~ ' * cast(1000000000 as decimal(10, 0)))'
    ) -%}
    {%- set f_hi = 'cast(floor(' ~ scaled ~ ') as hugeint)' -%}
    {%- set f_lo = (
        'cast((' ~ scaled ~ ' - floor(' ~ scaled ~ '))'
        ~ ' * cast(1000000000000 as decimal(13, 0)) as hugeint)'
    ) -%}
    cast(
        sign({{ quantity }}) * sign({{ rate }})
        * (
            (
                {{ a }} * {{ f_hi }}
                + ({{ a }} * {{ f_lo }}) // 1000000000000
                + 500000000
            )
            // 1000000000
        )
        * cast(0.000001 as decimal(7, 6))
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}

{#- Spark keeps at most 38 digits: a product of decimal(28,6) and
    decimal(24,21) (precision 53, scale 27) is rounded to 12 decimals
    before the cast rounds it to 6, and the two roundings differ from one
    (0.0000004999999995 becomes 0.000001). Here the product is computed in
    whole numbers of decimal(38,0): a = |quantity| x 10^6 and
    f = |rate| x 10^21, split as f = f_hi x 10^12 + f_lo with f_lo < 10^12.
    The product in millionths is a x f / 10^21 = (a x f_hi + a x f_lo /
    10^12) / 10^9; the fraction of a x f_lo / 10^12 dropped by the floor is
    below 1 and cannot move a half of 10^9, so q = a x f_hi +
    floor(a x f_lo / 10^12) rounded by 10^9, halves up, gives the exact
    result, whose sign is the product's. Every intermediate stays below
    10^35 for quantities below 10^13 and rates below 10^6. -#}
{% macro spark__product_to_micros(quantity, rate) -%}
    {%- set a = 'cast(abs(' ~ quantity ~ ') * 1000000 as decimal(38, 0))' -%}
    {%- set f = (
        'cast(abs(' ~ rate ~ ') * cast(1000000000000000000000'
        ~ ' as decimal(22, 0)) as decimal(38, 0))'
    ) -%}
    {%- set f_lo = '(' ~ f ~ ' % 1000000000000)' -%}
    {%- set f_hi = (
        'cast((' ~ f ~ ' - ' ~ f_lo ~ ') / 1000000000000 as decimal(38, 0))'
    ) -%}
    {%- set a_f_lo = '(' ~ a ~ ' * ' ~ f_lo ~ ')' -%}
    {%- set q = (
        '(' ~ a ~ ' * ' ~ f_hi ~ ' + cast((' ~ a_f_lo ~ ' - ' ~ a_f_lo
        ~ ' % 1000000000000) / 1000000000000 as decimal(38, 0)))'
    ) -%}
    cast(
        case
            when ({{ quantity }} < 0) = ({{ rate }} < 0) then 1
            else -1
        end
        * (
            cast(
                ({{ q }} - {{ q }} % 1000000000) / 1000000000
                as decimal(38, 0)
            )
            + case
                when {{ q }} % 1000000000 >= 500000000 then 1 else 0
            end
        )
        * cast(0.000001 as decimal(7, 6))
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
