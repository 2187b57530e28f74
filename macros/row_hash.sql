{#- A 64-bit hash of a list of SQL expressions, in order (nulls included),
    for change detection: two rows hash alike only if every value is equal
    (with a negligible chance of collision). Summed over a document's rows
    it gives an order-free fingerprint of them. Dispatched. -#}
{% macro row_hash(expressions) -%}
    {{ return(adapter.dispatch('row_hash', 'utility_warehouse')(expressions)) }}
{%- endmacro %}

{% macro duckdb__row_hash(expressions) -%}
    cast(hash({{ expressions | join(', ') }}) as {{ dbt.type_numeric() }})
{%- endmacro %}

{#- PostgreSQL: the first 64 bits of the MD5 of the row's text (a row
    constructor quotes its values and writes null as nothing, so values
    and nulls never run together). -#}
{% macro postgres__row_hash(expressions) -%}
    cast(
        cast(
            cast(
                'x' || substr(md5(cast(row({{ expressions | join(', ') }}) as text)), 1, 16)
                as bit(64)
            ) as bigint
        ) as {{ dbt.type_numeric() }}
    )
{%- endmacro %}

{#- Spark: xxhash64 skips nulls, so each value is followed by its null flag
    (a null in another place hashes differently). -#}
{% macro spark__row_hash(expressions) -%}
    cast(xxhash64(
        {%- for expression in expressions %}
        {{ expression }}, ({{ expression }}) is null{{ "," if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_numeric() }})
{%- endmacro %}
