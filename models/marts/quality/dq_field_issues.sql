{#- The field-issue ledger: every optional value of a clean record that
    could not be cleaned (it became null, a boolean its default, a link
    absent), with its entity, record, column, raw text and reason. The
    record itself was kept; quarantined records are in dq_quarantine with
    all their raw values instead. -#}
{%- set issue_columns = {
    'companies': ['implied_sewer_fraction'],
    'sites': [
        'gross_floor_area', 'gross_floor_area_units',
        'data_collection_stop_date', 'mirror_site_id',
    ],
    'connections': ['company_id'],
    'accounts': ['connection_id', 'active_account_id'],
    'meters': ['site_id', 'is_tracked', 'is_duplicated'],
    'documents': [
        'total_charges', 'current_charges', 'revised_document_id',
    ],
    'usage_data': [
        'raw_usage', 'standard_usage', 'demand', 'exclusion',
        'is_estimated', 'extracted_identifiers',
    ],
    'line_items': ['meter_id', 'datasource_type'],
} -%}
with

field_issues as (

    {%- for entity, columns in issue_columns.items() %}
    {%- set outer_loop = loop %}
    {%- for column in columns %}

        select
            '{{ entity }}' as entity,
            record_id,
            '{{ column }}' as column_name,
            {{ json_text_value('raw_values', column) }} as raw_value,
            {{ column }}_issue as reason
        from {{ ref('stg_utility__' ~ entity ~ '_screened') }}
        where
            quarantine_reason is null
            and {{ column }}_issue is not null
        {% if not (outer_loop.last and loop.last) -%} union all {%- endif %}
    {%- endfor %}
    {%- endfor %}

)

select * from field_issues
