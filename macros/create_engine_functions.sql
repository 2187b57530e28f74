{#- The on-run-start hook: helper functions an engine needs and cannot
    express inline. Only PostgreSQL needs one: utility_json_or_null, the
    JSON value of text or null when the text is not JSON (PostgreSQL 15
    has no non-raising JSON check), in the schema engine_function_schema()
    (staging). It catches the cast's error in a subtransaction, which a
    parallel worker may not start: the function is parallel unsafe. Other
    engines: nothing (an empty hook is skipped). -#}
{% macro create_engine_functions() -%}
    {{ return(adapter.dispatch('create_engine_functions', 'utility_warehouse')()) }}
{%- endmacro %}

{% macro default__create_engine_functions() -%}
{%- endmacro %}

{% macro postgres__create_engine_functions() -%}
    create schema if not exists {{ engine_function_schema() }};
    create or replace function
    {{ engine_function_schema() }}.utility_json_or_null(value text)
    returns json
    language plpgsql immutable parallel unsafe
    as $function$
    begin
        return value::json;
    exception when others then
        return null;
    end;
    $function$
{%- endmacro %}

{#- Where create_engine_functions puts its functions: the staging schema. -#}
{% macro engine_function_schema() -%}
    staging
{%- endmacro %}
