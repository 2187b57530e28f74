{#- The quarantine ledger's rows of the entities in `group` (see
    dq_quarantine and screened_entity_groups): one row per rejected
    record, with its reason, reason_detail and raw values. -#}
{% macro quarantined_records(group) -%}
{%- set entities = {
    'companies': {'key': 'id', 'parents': []},
    'sites': {'key': 'id', 'parents': [('company_id', 'companies', 'company')]},
    'connections': {'key': 'id', 'parents': []},
    'accounts': {'key': 'id', 'parents': [('company_id', 'companies', 'company')]},
    'meters': {'key': 'id', 'parents': [
        ('company_id', 'companies', 'company'),
        ('account_id', 'accounts', 'account')]},
    'meter_identifiers': {'key': 'meter_id', 'parents': [
        ('meter_id', 'meters', 'meter')]},
    'meter_tags': {'key': 'meter_id', 'parents': [
        ('meter_id', 'meters', 'meter')]},
    'documents': {'key': 'id', 'parents': [
        ('account_id', 'accounts', 'account')],
        'dates': ['start_date', 'bill_date']},
    'usage_data': {'key': 'id', 'parents': [
        ('document_id', 'documents', 'document'),
        ('meter_id', 'meters', 'meter')],
        'dates': ['start_date', 'end_date']},
    'line_items': {'key': 'id', 'parents': [
        ('document_id', 'documents', 'document')]},
    'emission_factors': {'key': 'region', 'parents': []},
    'contractual_instruments': {'key': 'id', 'parents': [
        ('company_id', 'companies', 'company')],
        'dates': ['start_date', 'end_date']},
    'finding_reviews': {'key': 'finding_id', 'parents': []},
} -%}
with

accepted_values as (

    select * from {{ ref('int_accepted_values_listed') }}

),

quarantined as (

    {%- for entity, config in entities.items() if entity in group %}

        select
            '{{ entity }}' as entity,
            screened.record_id,
            screened.quarantine_reason as reason,
            {{ quarantine_reason_detail(entity, config) }} as reason_detail,
            screened.raw_values
        from {{ ref('int_' ~ entity ~ '_screened') }} as screened
        left join accepted_values as accepted
            on
                screened.quarantine_reason = accepted.rejection_reason
                and accepted.entity = '{{ entity }}'
        -- noqa: disable=LT02,LT05
        {%- for column, parent, noun in config.parents %}
        left join {{ ref('int_' ~ parent ~ '_screened') }} as p{{ loop.index }}
            on
                screened.quarantine_reason = '{{ noun }}_quarantined'
                and p{{ loop.index }}.record_id = trim(
                    {{ json_text_value('screened.raw_values', column) }}
                )
        {%- endfor %}
        -- noqa: enable=LT02,LT05
        where screened.quarantine_reason is not null
        {% if not loop.last -%} union all {%- endif %}
    {%- endfor %}

)

select * from quarantined
{%- endmacro %}
