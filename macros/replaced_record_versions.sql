{#- A select of the raw rows of `relation` that lost to a newer version of
    the same key (see latest_record_per_key), one row each:
      record_id            the key (key_expression, trimmed);
      source_file, file_row_number   where the losing row is;
      winning_file_row_number   the row of the version that won;
      updated_at           the losing row's updated_at as written (trimmed,
                           null when blank);
      differs_from_winner  its values (value_columns, updated_at aside)
                           differ from the winner's: a reused key rather
                           than a repeated record;
      raw_values           its raw values as JSON text.
    Only keys that occur more than once are ranked. -#}
{% macro replaced_record_versions(relation, key_expression, value_columns) -%}
    {%- set key = clean_text(key_expression) -%}
    {%- set versions_window -%}
        partition by {{ key }} order by {{ record_version_order() }}
    {%- endset -%}
    select
        record_id,
        source_file,
        file_row_number,
        winning_file_row_number,
        updated_at,
        compared_values != winning_values as differs_from_winner,
        raw_values
    from (
        select
            {{ key }} as record_id,
            _source_file as source_file,
            _row_number as file_row_number,
            {{ clean_text('updated_at') }} as updated_at,
            {{ json_object_text(value_columns) }} as compared_values,
            {{ json_object_text(value_columns + ['updated_at']) }}
                as raw_values,
            row_number() over ({{ versions_window }}) as version_rank,
            first_value(_row_number) over ({{ versions_window }})
                as winning_file_row_number,
            first_value({{ json_object_text(value_columns) }}) over (
                {{ versions_window }}
            ) as winning_values
        from {{ relation }}
        where {{ key }} in (
            select {{ key }}
            from {{ relation }}
            group by {{ key }}
            having count(*) > 1
        )
    ) as ranked_versions
    where version_rank > 1
{%- endmacro %}


{#- The replaced versions of several landing entities, one select: each
    entity's replaced_record_versions over its staging view
    (stg_utility__<entity>), labelled with the entity. `entities` maps an
    entity to its compared columns; `keys` maps an entity to its key
    expression when the key is not `id`. -#}
{% macro replaced_versions_of_entities(entities, keys={}) -%}
    {%- for entity, columns in entities.items() %}
        select
            '{{ entity }}' as entity,
            versions.*
        from (
            {{ replaced_record_versions(
                ref('stg_utility__' ~ entity), keys.get(entity, 'id'), columns
            ) }}
        ) as versions
        {% if not loop.last -%} union all {%- endif %}
    {%- endfor %}
{%- endmacro %}
