{#- The field-issue ledger's rows of the entities in `group` (see
    dq_field_issues and screened_entity_groups): every optional value of a
    clean record that could not be cleaned, with its column, raw text and
    reason; a bill's charges_units once its currency is settled
    (int_document_currencies_resolved) when the group holds documents. -#}
{% macro field_issue_records(group) -%}
{%- set issue_columns = [
    ('companies', 'implied_sewer_fraction'),
    ('sites', 'gross_floor_area'),
    ('sites', 'gross_floor_area_units'),
    ('sites', 'data_collection_stop_date'),
    ('sites', 'mirror_site_id'),
    ('sites', 'country'),
    ('connections', 'company_id'),
    ('accounts', 'connection_id'),
    ('accounts', 'active_account_id'),
    ('meters', 'site_id'),
    ('meters', 'is_tracked'),
    ('meters', 'is_duplicated'),
    ('documents', 'total_charges'),
    ('documents', 'current_charges'),
    ('documents', 'revised_document_id'),
    ('usage_data', 'raw_usage'),
    ('usage_data', 'standard_usage'),
    ('usage_data', 'demand'),
    ('usage_data', 'exclusion'),
    ('usage_data', 'is_estimated'),
    ('usage_data', 'extracted_identifiers'),
    ('line_items', 'meter_id'),
    ('line_items', 'datasource_type'),
] -%}
with

field_issues as (

    {%- for entity, column in issue_columns if entity in group %}

        select
            '{{ entity }}' as entity,
            record_id,
            '{{ column }}' as column_name,
            {{ json_text_value('raw_values', column) }} as raw_value,
            {{ column }}_issue as reason
        from {{ ref('int_' ~ entity ~ '_screened') }}
        where
            quarantine_reason is null
            and {{ column }}_issue is not null
        {% if not loop.last -%} union all {%- endif %}
    {%- endfor %}

    {%- if 'documents' in group %}

        union all
        select
            'documents' as entity,
            document_id as record_id,
            'charges_units' as column_name,
            charges_units as raw_value,
            charges_units_issue as reason
        from {{ ref('int_document_currencies_resolved') }}
        where charges_units_issue is not null
    {%- endif %}

)

select * from field_issues
{%- endmacro %}
