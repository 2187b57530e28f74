{#- A SQL condition selecting rows of a meter-level relation (columns
    company_id, site_id, commodity, month, meter_id) by a portfolio filter,
    the same filters as `pipeline.py rollup`. `filter` is a mapping, every
    key optional:
      company      a company id;
      sites        a list of site ids;
      unassigned   true: meters without a site (with `sites`: those sites
                   and the unassigned meters; alone: only unassigned);
      commodities  a list of commodities (any case, spaces or hyphens);
      tags         a list of tags, any case (meters with any of them;
                   needs `tag_relation`, a relation with meter_id and
                   tag_name);
      month_from, month_to   'YYYY-MM', inclusive.
    Values are written as escaped string literals, never as SQL. An empty
    filter selects everything. `alias` qualifies the columns. -#}
{% macro portfolio_filter(filter, alias=none, tag_relation=none) -%}
    {%- set filter = filter or {} -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- set conditions = [] -%}
    {%- if filter.get('company') -%}
        {%- do conditions.append(
            prefix ~ 'company_id = ' ~ sql_string_literal(filter['company'])
        ) -%}
    {%- endif -%}
    {%- set sites = filter.get('sites') or [] -%}
    {%- if sites and filter.get('unassigned') -%}
        {%- do conditions.append(
            '(' ~ prefix ~ 'site_id in (' ~ sql_string_list(sites) ~ ') or '
            ~ prefix ~ 'site_id is null)'
        ) -%}
    {%- elif sites -%}
        {%- do conditions.append(
            prefix ~ 'site_id in (' ~ sql_string_list(sites) ~ ')'
        ) -%}
    {%- elif filter.get('unassigned') -%}
        {%- do conditions.append(prefix ~ 'site_id is null') -%}
    {%- endif -%}
    {%- set commodities = [] -%}
    {%- for commodity in filter.get('commodities') or [] -%}
        {%- do commodities.append(
            modules.re.sub('[\\s\\-]+', '_', commodity | trim) | upper
        ) -%}
    {%- endfor -%}
    {%- if commodities -%}
        {%- do conditions.append(
            prefix ~ 'commodity in (' ~ sql_string_list(commodities) ~ ')'
        ) -%}
    {%- endif -%}
    {%- if filter.get('tags') -%}
        {%- if tag_relation is none -%}
            {{ exceptions.raise_compiler_error(
                "portfolio_filter: a tags filter needs tag_relation") }}
        {%- endif -%}
        {%- set tags = [] -%}
        {%- for tag in filter['tags'] -%}
            {%- do tags.append(tag | string | lower) -%}
        {%- endfor -%}
        {%- do conditions.append(
            prefix ~ 'meter_id in (select meter_id from ' ~ tag_relation
            ~ ' where lower(tag_name) in (' ~ sql_string_list(tags) ~ '))'
        ) -%}
    {%- endif -%}
    {%- for bound, operator in [('month_from', '>='), ('month_to', '<=')] -%}
        {%- if filter.get(bound) -%}
            {%- if not modules.re.fullmatch(
                '[0-9]{4}-(0[1-9]|1[0-2])', filter[bound] | string
            ) -%}
                {{ exceptions.raise_compiler_error(
                    "portfolio_filter: " ~ bound ~ " must be YYYY-MM, got "
                    ~ filter[bound]) }}
            {%- endif -%}
            {%- do conditions.append(
                prefix ~ 'month ' ~ operator ~ ' cast('
                ~ sql_string_literal(filter[bound] ~ '-01') ~ ' as date)'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ conditions | join('\n    and ') if conditions else '1 = 1' }}
{%- endmacro %}
