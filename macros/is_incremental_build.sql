{#- True in an incremental run of an incremental model that already has rows
    (dbt's is_incremental()), false in a full build and in unit tests, which
    test the full-build logic (they have no existing relation). -#}
{% macro is_incremental_build() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}
