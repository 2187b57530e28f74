{#- A select of the rows of `relation` keeping, per value of `key_expression`,
    the version with the latest updated_at (unparseable or missing updated_at
    counts as oldest), then the last row in the file (_row_number). Rows whose
    key is blank are all kept, each on its own: they are quarantined later as
    missing_id, never merged. -#}
{% macro latest_record_per_key(relation, key_expression) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by
                    coalesce(
                        {{ clean_text(key_expression) }},
                        '#row ' || cast(_row_number as {{ dbt.type_string() }})
                    )
                order by {{ record_version_order() }}
            ) as version_rank
        from {{ relation }}
    ) as ranked_versions
    where version_rank = 1
{%- endmacro %}
