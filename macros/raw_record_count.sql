{#- The number of raw records of a relation after de-duplication by key: its
    distinct non-blank keys, plus every row whose key is blank (each is a
    record of its own, quarantined as missing_id). An aggregate expression;
    0 for an empty relation. -#}
{% macro raw_record_count(key_expression) -%}
    count(distinct nullif(trim({{ key_expression }}), ''))
    + coalesce(
        sum(
            case
                when nullif(trim({{ key_expression }}), '') is null then 1
                else 0
            end
        ),
        0
    )
{%- endmacro %}
