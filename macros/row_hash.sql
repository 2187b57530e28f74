{#- A 64-bit hash of a list of SQL expressions, in order (nulls included),
    for change detection: two rows hash alike only if every value is equal
    (with a negligible chance of collision). Summed over a document's rows
    it gives an order-free fingerprint of them. Dispatched. -#}
{% macro row_hash(expressions) -%}
    {{ return(adapter.dispatch('row_hash', 'utility_warehouse')(expressions)) }}
{%- endmacro %}

{% macro default__row_hash(expressions) -%}
    {{ exceptions.raise_compiler_error(
        "row_hash is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__row_hash(expressions) -%}
    cast(hash({{ expressions | join(', ') }}) as {{ dbt.type_numeric() }})
{%- endmacro %}
