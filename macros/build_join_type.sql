{#- The join to documents_to_build in an incremental bill-level model: inner
    in an incremental run (only the bills to rebuild), left in a full build
    (every row, with its bill's fingerprint). -#}
{% macro build_join_type() -%}
    {{ 'inner' if is_incremental_build() else 'left' }}
{%- endmacro %}
