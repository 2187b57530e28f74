{#- The reason_detail of dq_quarantine for one entity: a case over the
    quarantine reason of the screened row (alias screened), reading its raw
    values (raw_values JSON), its <column>_unparsed flags, the accepted values
    of its enumeration column (alias accepted, int_accepted_values_listed)
    and the reason of a quarantined parent (aliases p1, p2, in the
    order of parents). A person reads what to fix: the rejected value
    and what is accepted, the parent and its reason, the bad value as
    written (with the date order or decimal separator it was read with).
      entity   the raw entity
      config   key (the key column), parents [(column, parent entity,
               noun)], dates [start column, end column] when it has a period
-#}
{% macro quarantine_reason_detail(entity, config) -%}
    {%- set enumeration_reasons = {
        'unknown_status': 'status',
        'unknown_commodity': 'datasource_type',
        'unknown_net_metering_type': 'net_metering_type',
        'unknown_charge_type': 'charge_type',
        'unknown_unit': 'raw_usage_units',
    } -%}
    {%- if entity in ('emission_factors', 'contractual_instruments') %}
        {%- do enumeration_reasons.update({'unknown_commodity': 'commodity'}) %}
    {%- endif %}
    case screened.quarantine_reason
        when 'missing_id' then '{{ config.key }} is empty'
        when 'bad_id'
            then 'a key column holds a JSON object or array, not an id: '
            || screened.raw_values
        {%- for reason, column in enumeration_reasons.items() %}
        when '{{ reason }}'
            then '{{ column }} '
            || {{ quoted_raw_value('screened.raw_values', column) }}
            || {{ "' cannot be converted for the commodity of the meter; units: '"
                if reason == 'unknown_unit' else "' is not one of '" }}
            || coalesce(
                accepted.accepted_values,
                'the accepted values'
            )
        {%- endfor %}
        {%- for column, parent, noun in config.parents %}
        when 'orphan_{{ noun }}'
            then '{{ column }} '
            || {{ quoted_raw_value('screened.raw_values', column) }}
            || ' names no {{ noun }}'
        when '{{ noun }}_quarantined'
            then '{{ column }} '
            || {{ quoted_raw_value('screened.raw_values', column) }}
            || ': {{ parent }} ' || {{ quoted_raw_value(
                'screened.raw_values', column) }}
            || ' is quarantined ('
            || coalesce(
                p{{ loop.index }}.quarantine_reason, 'unknown'
            ) || ')'
        {%- endfor %}
        {%- if config.dates is defined %}
        {%- set first = config.dates[0] %}
        {%- set last = config.dates[1] %}
        {%- set first_raw = quoted_raw_value('screened.raw_values', first) %}
        {%- set last_raw = quoted_raw_value('screened.raw_values', last) %}
        when 'bad_date'
            then case
                when coalesce(screened.{{ first }}_unparsed, true)
                    then '{{ first }} ' || {{ first_raw }}
                else '{{ last }} ' || {{ last_raw }}
            end
            || ' is not a date (date_order {{ date_order_setting() }})'
        when 'implausible_date'
            then '{{ first }} ' || {{ first_raw }} || ' or {{ last }} '
            || {{ last_raw }} || ' is before '
            || '{{ var("plausible_date_min") }} or more than a year'
            || ' after the as-of date'
        when 'end_before_start'
            then '{{ last }} ' || {{ last_raw }}
            || ' is before {{ first }} ' || {{ first_raw }}
        when 'implausible_period'
            then 'the period from {{ first }} ' || {{ first_raw }}
            || ' to {{ last }} ' || {{ last_raw }} || ' is longer than'
            || ' {{ var("implausible_period_days") }} days'
        {%- endif %}
        {%- if entity == 'usage_data' %}
        when 'bad_number'
            then 'standard_usage '
            || {{ quoted_raw_value('screened.raw_values', 'standard_usage') }}
            || ', raw_usage '
            || {{ quoted_raw_value('screened.raw_values', 'raw_usage') }}
            || ': no usable number (decimal_separator "'
            || '{{ decimal_separator_setting() }}", at most '
            || '{{ var("max_abs_value") }})'
        when 'missing_usage'
            then 'standard_usage and raw_usage are empty'
        when 'missing_meter'
            then 'meter_id and extracted_identifiers are empty'
        when 'bad_json'
            then 'extracted_identifiers '
            || {{ quoted_raw_value(
                'screened.raw_values', 'extracted_identifiers') }}
            || ' is not a JSON array'
        when 'unmatched_meter'
            then 'no meter of the company holds every extracted'
            || ' identifier of '
            || {{ quoted_raw_value(
                'screened.raw_values', 'extracted_identifiers') }}
        when 'ambiguous_meter'
            then 'several meters hold every extracted identifier of '
            || {{ quoted_raw_value(
                'screened.raw_values', 'extracted_identifiers') }}
        {%- endif %}
        {%- if entity == 'line_items' %}
        when 'bad_amount'
            then 'amount '
            || {{ quoted_raw_value('screened.raw_values', 'amount') }}
            || ' is not an amount (decimal_separator "'
            || '{{ decimal_separator_setting() }}")'
        when 'bad_number'
            then 'amount '
            || {{ quoted_raw_value('screened.raw_values', 'amount') }}
            || ' is beyond {{ var("max_abs_value") }}'
        {%- endif %}
        {%- if entity == 'emission_factors' %}
        when 'bad_year'
            then 'year '
            || {{ quoted_raw_value('screened.raw_values', 'year') }}
            || ' is not a whole year from '
            || '{{ var("plausible_date_min")[:4] }}'
        when 'bad_method'
            then 'method '
            || {{ quoted_raw_value('screened.raw_values', 'method') }}
            || ' is not one of location, residual_mix'
        when 'bad_number'
            then 'co2_kg_per_kwh '
            || {{ quoted_raw_value('screened.raw_values', 'co2_kg_per_kwh') }}
            || ', ch4_kg_per_kwh '
            || {{ quoted_raw_value('screened.raw_values', 'ch4_kg_per_kwh') }}
            || ', n2o_kg_per_kwh '
            || {{ quoted_raw_value('screened.raw_values', 'n2o_kg_per_kwh') }}
            || ': not a number, or negative (decimal_separator "'
            || '{{ decimal_separator_setting() }}")'
        {%- endif %}
        {%- if entity == 'contractual_instruments' %}
        when 'bad_number'
            then 'co2e_kg_per_kwh '
            || {{ quoted_raw_value('screened.raw_values', 'co2e_kg_per_kwh') }}
            || ', quantity_kwh '
            || {{ quoted_raw_value('screened.raw_values', 'quantity_kwh') }}
            || ': not a number, negative or beyond '
            || '{{ var("max_abs_value") }} (decimal_separator "'
            || '{{ decimal_separator_setting() }}")'
        when 'orphan_site'
            then 'site_id '
            || {{ quoted_raw_value('screened.raw_values', 'site_id') }}
            || ' names no site'
        when 'site_quarantined'
            then 'site_id '
            || {{ quoted_raw_value('screened.raw_values', 'site_id') }}
            || ' names a quarantined site (dq_quarantine, entity sites)'
        when 'foreign_site'
            then 'site_id '
            || {{ quoted_raw_value('screened.raw_values', 'site_id') }}
            || ' is a site of another company than company_id '
            || {{ quoted_raw_value('screened.raw_values', 'company_id') }}
        when 'unknown_country'
            then 'market '
            || {{ quoted_raw_value('screened.raw_values', 'market') }}
            || ' names no country (an ISO 3166-1 alpha-2 or alpha-3 code'
            || ' or English short name of the countries seed)'
        {%- endif %}
        {%- if entity == 'finding_reviews' %}
        when 'bad_date'
            then 'reviewed_at '
            || {{ quoted_raw_value('screened.raw_values', 'reviewed_at') }}
            || ' is not a timestamp or a date (date_order '
            || '{{ date_order_setting() }})'
        when 'implausible_date'
            then 'reviewed_at '
            || {{ quoted_raw_value('screened.raw_values', 'reviewed_at') }}
            || ' is before {{ var("plausible_date_min") }} or more than a'
            || ' year after the as-of date'
        {%- endif %}
        {%- if entity == 'accounts' %}
        when 'active_account_cycle'
            then 'active_account_id '
            || {{ quoted_raw_value(
                'screened.raw_values', 'active_account_id') }}
            || ' leads back to this account'
        {%- endif %}
        {%- if entity == 'documents' %}
        when 'revision_cycle'
            then 'revised_document_id '
            || {{ quoted_raw_value(
                'screened.raw_values', 'revised_document_id') }}
            || ' leads back to this bill'
        {%- endif %}
        {%- if entity == 'meter_identifiers' %}
        when 'missing_value'
            then 'identifier_type '
            || {{ quoted_raw_value('screened.raw_values', 'identifier_type') }}
            || ', value '
            || {{ quoted_raw_value('screened.raw_values', 'value') }}
            || ': one is empty'
        {%- endif %}
        {%- if entity == 'meter_tags' %}
        when 'missing_value' then 'tag_name is empty'
        {%- endif %}
    end
{%- endmacro %}
