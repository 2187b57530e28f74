{#- The landing columns whose values are parsed (dates, timestamps, numbers,
    amounts, booleans, enumerations, units, currencies, countries), per
    entity, as (column, kind). Each screening model carries, for each,
    <column>_unparsed: null when the value is blank, true when it could not
    be parsed (see unparsed_flag). documents.charges_units is judged after
    its currency is settled (int_document_currencies_resolved).
    dq_unparsed_shares and dq_rejected_values read this list. -#}
{% macro parsed_columns() -%}
    {{ return({
        'companies': [
            ('implied_sewer_fraction', 'number'), ('updated_at', 'timestamp'),
        ],
        'sites': [
            ('gross_floor_area', 'number'),
            ('gross_floor_area_units', 'enumeration'),
            ('data_collection_stop_date', 'date'),
            ('country', 'enumeration'),
            ('updated_at', 'timestamp'),
        ],
        'connections': [('updated_at', 'timestamp')],
        'accounts': [('status', 'enumeration'), ('updated_at', 'timestamp')],
        'meters': [
            ('datasource_type', 'enumeration'), ('is_tracked', 'boolean'),
            ('is_duplicated', 'boolean'), ('updated_at', 'timestamp'),
        ],
        'documents': [
            ('start_date', 'date'), ('bill_date', 'date'),
            ('total_charges', 'amount'), ('current_charges', 'amount'),
            ('charges_units', 'enumeration'), ('updated_at', 'timestamp'),
        ],
        'usage_data': [
            ('start_date', 'date'), ('end_date', 'date'),
            ('raw_usage', 'number'), ('raw_usage_units', 'enumeration'),
            ('standard_usage', 'number'), ('demand', 'number'),
            ('exclusion', 'boolean'), ('is_estimated', 'boolean'),
            ('net_metering_type', 'enumeration'), ('updated_at', 'timestamp'),
        ],
        'line_items': [
            ('amount', 'amount'), ('charge_type', 'enumeration'),
            ('datasource_type', 'enumeration'), ('updated_at', 'timestamp'),
        ],
        'emission_factors': [
            ('commodity', 'enumeration'), ('year', 'number'),
            ('co2_kg_per_kwh', 'number'), ('ch4_kg_per_kwh', 'number'),
            ('n2o_kg_per_kwh', 'number'), ('updated_at', 'timestamp'),
        ],
        'contractual_instruments': [
            ('market', 'enumeration'), ('commodity', 'enumeration'),
            ('start_date', 'date'), ('end_date', 'date'),
            ('quantity_kwh', 'number'), ('co2e_kg_per_kwh', 'number'),
            ('updated_at', 'timestamp'),
        ],
        'finding_reviews': [
            ('status', 'enumeration'), ('reviewed_at', 'timestamp'),
            ('updated_at', 'timestamp'),
        ],
    }) }}
{%- endmacro %}
