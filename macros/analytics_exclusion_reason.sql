{#- The analytics inclusion rule as one expression: the reason a period of a
    meter on a bill does not count, or null when it counts. Checked meter
    first, then bill, then account, then site; the first that applies wins.
    Arguments are SQL expressions:
      meter_alias     relation with is_tracked, is_duplicated;
      document_alias  relation with is_superseded;
      account_alias   relation with status (the bill's account);
      site_alias      relation with is_archived, data_collection_stop_date
                      (null columns when the meter has no site);
      period_start    first day of the period being judged. -#}
{% macro analytics_exclusion_reason(
    meter_alias, document_alias, account_alias, site_alias, period_start
) -%}
    case
        when not {{ meter_alias }}.is_tracked then 'untracked'
        when {{ meter_alias }}.is_duplicated then 'duplicate_meter'
        when {{ document_alias }}.is_superseded then 'superseded_bill'
        when {{ account_alias }}.status not in ('ONBOARDED', 'OLD_ACCOUNT')
            then 'account_status_' || lower({{ account_alias }}.status)
        when
            {{ site_alias }}.is_archived
            and {{ period_start }}
            > {{ site_alias }}.data_collection_stop_date
            then 'archived_site_after_stop_date'
    end
{%- endmacro %}
