{#- Parse boolean text in any case: true/false, t/f, yes/no, y/n, 1/0.
    Blank text gives `default` (a SQL literal: true or false); anything
    else gives null, which the screening models report as bad_boolean. -#}
{% macro parse_boolean(column, default) -%}
    case
        when nullif(trim({{ column }}), '') is null then {{ default }}
        when lower(trim({{ column }})) in ('true', 't', 'yes', 'y', '1')
            then true
        when lower(trim({{ column }})) in ('false', 'f', 'no', 'n', '0')
            then false
    end
{%- endmacro %}
