{#- The raw entities in four groups, so that a model reading every
    screening model reads one group at a time (at most eight parents):
    the portfolio (companies to meter tags), the bills (documents, usage
    data, line items), the carbon inputs (emission factors, contractual
    instruments; optional files) and the reviews (finding reviews, an
    optional file). -#}
{% macro screened_entity_groups() -%}
    {{ return({
        'portfolio': [
            'companies', 'sites', 'connections', 'accounts', 'meters',
            'meter_identifiers', 'meter_tags',
        ],
        'bills': ['documents', 'usage_data', 'line_items'],
        'carbon': ['emission_factors', 'contractual_instruments'],
        'reviews': ['finding_reviews'],
    }) }}
{%- endmacro %}
