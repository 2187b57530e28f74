{#- The stable id of a data-quality finding: 16 hexadecimal digits of the
    MD5 of its kind and natural keys (`keys`: SQL expressions), never of row
    numbers or of figures that move, so that the same finding keeps its id
    in every later build. Each key is written with its length (a null as
    `n`), so that no two lists of keys read alike. -#}
{% macro finding_id(kind, keys) -%}
    {%- set parts = [kind] -%}
    {%- for key in keys -%}
        {%- set text = 'cast(' ~ key ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- do parts.append(
            "coalesce(cast(length(" ~ text ~ ") as " ~ dbt.type_string()
            ~ ") || ':' || " ~ text ~ ", 'n')"
        ) -%}
    {%- endfor -%}
    substr({{ dbt.hash(parts | join(" || '|' || ")) }}, 1, 16)
{%- endmacro %}
