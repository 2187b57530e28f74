{#- The quotient of two whole numbers (decimal(38,0) expressions) rounded
    to a whole number, halves away from zero, computed with integer
    division and its remainder so that no digit is lost. Dispatched: the
    integer division differs per engine. -#}
{% macro divide_half_away_from_zero(numerator, denominator) -%}
    {{ return(adapter.dispatch(
        'divide_half_away_from_zero', 'utility_warehouse'
    )(numerator, denominator)) }}
{%- endmacro %}

{% macro duckdb__divide_half_away_from_zero(numerator, denominator) -%}
    {%- set n = 'abs(cast(' ~ numerator ~ ' as hugeint))' -%}
    {%- set d = 'abs(cast(' ~ denominator ~ ' as hugeint))' -%}
    (
        sign({{ numerator }}) * sign({{ denominator }})
        * (
            {{ n }} // {{ d }}
            + case when 2 * ({{ n }} % {{ d }}) >= {{ d }} then 1 else 0 end
        )
    )
{%- endmacro %}

{#- PostgreSQL: numeric is exact at any size; div truncates toward zero,
    which is the floor for the absolute values. -#}
{% macro postgres__divide_half_away_from_zero(numerator, denominator) -%}
    {%- set n = 'abs(cast(' ~ numerator ~ ' as numeric))' -%}
    {%- set d = 'abs(cast(' ~ denominator ~ ' as numeric))' -%}
    (
        sign(cast({{ numerator }} as numeric))
        * sign(cast({{ denominator }} as numeric))
        * (
            div({{ n }}, {{ d }})
            + case when 2 * mod({{ n }}, {{ d }}) >= {{ d }} then 1 else 0 end
        )
    )
{%- endmacro %}

{#- Spark: decimal(38, 0) keeps 38 digits exactly; sign() would give a
    double and `div` a bigint, so the quotient is (n - n % d) / d, exact as
    it divides evenly, and the sign comes from comparisons. The products
    the models divide stay below 10^37 (amounts and weights are at most
    10^12 with six decimals), so nothing overflows. -#}
{% macro spark__divide_half_away_from_zero(numerator, denominator) -%}
    {%- set n = 'abs(cast(' ~ numerator ~ ' as decimal(38, 0)))' -%}
    {%- set d = 'abs(cast(' ~ denominator ~ ' as decimal(38, 0)))' -%}
    cast(
        case
            when ({{ numerator }} < 0) = ({{ denominator }} < 0) then 1
            else -1
        end
        * (
            cast(({{ n }} - {{ n }} % {{ d }}) / {{ d }} as decimal(38, 0))
            + case when 2 * ({{ n }} % {{ d }}) >= {{ d }} then 1 else 0 end
        )
        as decimal(38, 0)
    )
{%- endmacro %}
