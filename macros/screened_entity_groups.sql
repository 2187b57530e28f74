{#- The raw entities in two groups, so that a model reading every
    screening model reads one group at a time (at most eight parents):
    the portfolio (companies to meter tags) and the bills (documents,
    usage data, line items). -#}
{% macro screened_entity_groups() -%}
    {{ return({
        'portfolio': [
            'companies', 'sites', 'connections', 'accounts', 'meters',
            'meter_identifiers', 'meter_tags',
        ],
        'bills': ['documents', 'usage_data', 'line_items'],
    }) }}
{%- endmacro %}
