{#- The field-issue ledger: every optional value of a clean record that
    could not be cleaned (it became null, a boolean its default, a link
    absent; a negative IMPORT usage is kept but weighs nothing in cost
    shares), with its entity, record, column, raw text and reason. The
    record itself was kept; quarantined records are in dq_quarantine with
    all their raw values instead. A bill's charges_units is judged once its
    currency is settled (int_document_currencies_resolved). -#}
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

    {%- for entity, column in issue_columns %}

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
        union all
    {%- endfor %}

    select
        'documents' as entity,
        document_id as record_id,
        'charges_units' as column_name,
        charges_units as raw_value,
        charges_units_issue as reason
    from {{ ref('int_document_currencies_resolved') }}
    where charges_units_issue is not null

)

select * from field_issues
