{#- True when the text is a well-formed JSON array. -#}
{% macro is_json_array(column) -%}
    {{ return(adapter.dispatch('is_json_array', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro duckdb__is_json_array(column) -%}
    {#- json_type raises on invalid text, so it is only reached for valid
        text (case evaluates its branch only for the rows it selects). -#}
    case
        when json_valid({{ column }}) then json_type({{ column }}) = 'ARRAY'
        else false
    end
{%- endmacro %}

{#- PostgreSQL 15 has no non-raising JSON check: json_or_null (a function
    the on-run-start hook create_engine_functions creates) returns null for
    text that is not JSON. DuckDB also reads a few non-standard forms
    (NaN, trailing commas) that PostgreSQL and Spark refuse. -#}
{% macro postgres__is_json_array(column) -%}
    coalesce(json_typeof({{ json_or_null(column) }}) = 'array', false)
{%- endmacro %}

{#- Spark: json_array_length is null for text that is not a JSON array. -#}
{% macro spark__is_json_array(column) -%}
    (json_array_length({{ column }}) is not null)
{%- endmacro %}

{#- The JSON value of text, or null when it is not JSON (PostgreSQL). -#}
{% macro json_or_null(column) -%}
    {{ engine_function_schema() }}.utility_json_or_null({{ column }})
{%- endmacro %}
