{#- Every raw row that could not be cleaned, with its entity, key, reason and
    raw values. One row per rejected record (after de-duplication by key). -#}
{%- set entities = [
    'companies', 'sites', 'connections', 'accounts', 'meters',
    'meter_identifiers', 'meter_tags', 'documents', 'usage_data',
    'line_items',
] -%}
with

quarantined as (

    {%- for entity in entities %}

        select
            '{{ entity }}' as entity,
            record_id,
            quarantine_reason as reason,
            raw_values
        from {{ ref('stg_utility__' ~ entity ~ '_screened') }}
        where quarantine_reason is not null
        {% if not loop.last -%} union all {%- endif %}
    {%- endfor %}

)

select * from quarantined
