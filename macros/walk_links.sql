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
