{#- Follows links between records of one kind (an account's active
    account, a bill's revision) from every record that has one. `relation`
    holds one row per link: `from_column` the record, `to_column` the record
    it links to (both not null). Returns a select of
      start_id      the record the walk starts from,
      reached_id    a record its chain of links reaches,
      link_depth    the number of links followed (1 = its own link).
    A walk never follows a record's link twice, so loops end; the records
    on a loop are those that reach themselves. Dispatched: engines without
    recursive common table expressions need another approach. -#}
{% macro walk_links(relation, from_column, to_column) -%}
    {{ return(adapter.dispatch('walk_links', 'utility_warehouse')(
        relation, from_column, to_column)) }}
{%- endmacro %}

{% macro default__walk_links(relation, from_column, to_column) -%}
    select
        start_id,
        reached_id,
        link_depth
    from (
        with recursive walk as (

            select
                {{ from_column }} as start_id,
                {{ to_column }} as reached_id,
                1 as link_depth,
                '|' || {{ from_column }} || '|' as visited_path
            from {{ relation }}

            union all

            select
                walk.start_id,
                links.{{ to_column }} as reached_id,
                walk.link_depth + 1 as link_depth,
                walk.visited_path || links.{{ from_column }} || '|'
                    as visited_path
            from walk
            inner join {{ relation }} as links
                on walk.reached_id = links.{{ from_column }}
            where
                {{ dbt.position(
                    "'|' || links." ~ from_column ~ " || '|'",
                    'walk.visited_path'
                ) }} = 0

        )

        select * from walk
    ) as walked
{%- endmacro %}

{#- Spark has no recursive common table expression (before 4.1): the walk
    is unrolled into var link_walk_max_depth (default 20) left self-joins,
    each following the link of the record reached one step before unless
    that record was already left once (so a loop ends after going round
    once, exactly as in the recursive walk), then unpivoted with stack. A
    chain longer than the bound stops the build with an error naming the
    var, instead of walking it short. -#}
{% macro spark__walk_links(relation, from_column, to_column) -%}
    {%- set depth = var('link_walk_max_depth', 20) | int -%}
    select
        start_id,
        reached_id,
        link_depth
    from (
        select
            start_id,
            stack(
                {{ depth }}
                {%- for step in range(1, depth + 1) %},
                {{ step }}, reached_{{ step }}
                {%- endfor %}
            ) as (link_depth, reached_id)
        from (
            select
                step_1.{{ from_column }} as start_id
                {%- for step in range(1, depth + 1) %},
                step_{{ step }}.{{ to_column }} as reached_{{ step }}
                {%- endfor %}
            from {{ relation }} as step_1
            {%- for step in range(2, depth + 2) %}
            left join {{ relation }} as step_{{ step }}
                on
                    step_{{ step - 1 }}.{{ to_column }}
                    = step_{{ step }}.{{ from_column }}
                    and step_{{ step }}.{{ from_column }} not in (
                        {%- for earlier in range(1, step) %}
                        step_{{ earlier }}.{{ from_column }}
                        {{- "," if not loop.last }}
                        {%- endfor %}
                    )
            {%- endfor %}
            where
                case
                    when step_{{ depth + 1 }}.{{ from_column }} is not null
                        then cast(raise_error(
                            'walk_links: a chain of links is longer than '
                            || '{{ depth }}; raise var link_walk_max_depth'
                        ) as boolean)
                    else true
                end
        ) as steps
    ) as walked
    where reached_id is not null
{%- endmacro %}
