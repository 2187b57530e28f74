{#- round(quantity x rate, 6), half away from zero, exactly: the quantity
    has at most six decimals (numeric(28,6) and its sums, below 10^12 in
    magnitude), the rate at most 21 (an emission factor's decimal(24,21), a
    co2e rate's decimal(28,21), an instrument's decimal(28,18), a kBtu
    factor or a source-to-site ratio) and is below 10^6 in magnitude.
    Result: numeric(28,6). Dispatched: PostgreSQL multiplies exactly and
    rounds once in the cast; DuckDB and Spark keep at most 38 digits, so
    they compute in whole numbers (product_to_micros_in_whole_numbers). -#}
{% macro product_to_micros(quantity, rate) -%}
    {{ return(adapter.dispatch('product_to_micros', 'utility_warehouse')(
        quantity, rate)) }}
{%- endmacro %}

{% macro default__product_to_micros(quantity, rate) -%}
    cast(({{ quantity }}) * ({{ rate }}) as {{ dbt.type_numeric() }})
{%- endmacro %}

{% macro duckdb__product_to_micros(quantity, rate) -%}
    {{ product_to_micros_in_whole_numbers(quantity, rate) }}
{%- endmacro %}

{% macro spark__product_to_micros(quantity, rate) -%}
    {{ product_to_micros_in_whole_numbers(quantity, rate) }}
{%- endmacro %}

{#- DuckDB and Spark keep at most 38 digits. DuckDB types a product of
    decimal(28,6) and decimal(24,21) decimal(38,27), which overflows from
    10^11 (an error that stops the build); Spark rounds it to 12 decimals
    before the cast rounds it to 6, and the two roundings differ from one
    (0.0000004999999995 becomes 0.000001). Here the product is computed in
    whole numbers of decimal(38,0): a = |quantity| x 10^6 and
    f = |rate| x 10^21 = f_hi x 10^12 + f_lo with f_lo < 10^12, where f_hi
    is the whole part of |rate| x 10^9 and f_lo its fraction x 10^12 (f
    itself would overflow DuckDB's decimal(38,21)). The product in
    millionths is a x f / 10^21 = (a x f_hi + a x f_lo / 10^12) / 10^9; the
    fraction of a x f_lo / 10^12 dropped by the floor is below 1 and cannot
    move a half of 10^9, so q = a x f_hi + floor(a x f_lo / 10^12) divided
    by 10^9, halves up, gives the exact result, whose sign is the
    product's. The divisions are divide_half_away_from_zero's (DuckDB's
    decimal division gives a double). Every intermediate stays below 10^35
    for quantities below 10^13 and rates below 10^6. -#}
{% macro product_to_micros_in_whole_numbers(quantity, rate) -%}
    {%- set a = 'cast(abs(' ~ quantity ~ ') * 1000000 as decimal(38, 0))' -%}
    {%- set scaled = (
        '(abs(' ~ rate ~ ') * cast(1000000000 as decimal(10, 0)))'
    ) -%}
    {%- set f_hi = 'cast(floor(' ~ scaled ~ ') as decimal(38, 0))' -%}
    {%- set f_lo = (
        'cast((' ~ scaled ~ ' - floor(' ~ scaled ~ '))'
        ~ ' * cast(1000000000000 as decimal(13, 0)) as decimal(38, 0))'
    ) -%}
    {%- set a_f_lo = '(' ~ a ~ ' * ' ~ f_lo ~ ')' -%}
    {%- set q = (
        '(' ~ a ~ ' * ' ~ f_hi ~ ' + ' ~ divide_half_away_from_zero(
            '(' ~ a_f_lo ~ ' - ' ~ a_f_lo ~ ' % 1000000000000)',
            '1000000000000'
        ) ~ ')'
    ) -%}
    cast(
        case
            when ({{ quantity }} < 0) = ({{ rate }} < 0) then 1
            else -1
        end
        * {{ divide_half_away_from_zero(q, '1000000000') }}
        * cast(0.000001 as decimal(7, 6))
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
