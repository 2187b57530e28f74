{#- The quotient of two whole numbers (decimal(38,0) expressions) rounded
    to a whole number, halves away from zero, computed with integer
    division and its remainder so that no digit is lost. Dispatched: the
    integer division differs per engine. -#}
{% macro divide_half_away_from_zero(numerator, denominator) -%}
    {{ return(adapter.dispatch(
        'divide_half_away_from_zero', 'utility_warehouse'
    )(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_half_away_from_zero(numerator, denominator) -%}
    {{ exceptions.raise_compiler_error(
        "divide_half_away_from_zero is not implemented for adapter "
        ~ adapter.type()) }}
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
