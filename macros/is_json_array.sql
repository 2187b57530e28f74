{#- True when the text is a well-formed JSON array. -#}
{% macro is_json_array(column) -%}
    {{ return(adapter.dispatch('is_json_array', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro default__is_json_array(column) -%}
    {{ exceptions.raise_compiler_error(
        "is_json_array is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__is_json_array(column) -%}
    {#- json_type raises on invalid text, so it is only reached for valid
        text (case evaluates its branch only for the rows it selects). -#}
    case
        when json_valid({{ column }}) then json_type({{ column }}) = 'ARRAY'
        else false
    end
{%- endmacro %}
