{#- The audit trail of monthly usage: every clean usage row, counted or not,
    spread over the calendar months its period overlaps by inclusive daily
    proration (macro calendarize). `usage` is the month's part of the row as
    billed; `signed_usage` turns exclusion rows negative, as every
    aggregation does. Its counted rows, summed by meter, month and currency,
    give fct_meter_monthly exactly; the others carry their exclusion
    reason.
    Incremental by bill (see int_document_fingerprints): a run rebuilds only
    the bills whose fingerprint changed and prunes rows of bills that are
    gone, giving exactly the rows of a full rebuild. -#}
{#- Materialized incremental (a table on Spark), on_schema_change per engine:
    see dbt_project.yml. -#}
{{ config(
    incremental_strategy='delete+insert',
    unique_key='document_id',
    post_hook="{{ prune_stale_document_rows(ref('int_document_fingerprints')) }}"
) }}
with

assessed as (

    select * from {{ ref('int_usage_inclusion_assessed') }}

),

usage_rows as (

    select
        usage_id,
        document_id,
        meter_id,
        company_id,
        site_id,
        commodity,
        currency,
        start_date,
        end_date,
        net_metering_type,
        is_exclusion,
        is_estimated,
        demand_kw,
        is_counted,
        exclusion_reason,
        usage_unit,
        standard_usage as row_usage,
        document_fingerprint
    from assessed
    where {{ built_documents_filter('document_id') }}

),

calendarized as (

    {{ calendarize('usage_rows', 'start_date', 'end_date', ['row_usage']) }}

),

final as (

    select
        usage_id,
        document_id,
        meter_id,
        company_id,
        site_id,
        commodity,
        month,
        start_date,
        end_date,
        cast(overlap_days as integer) as overlap_days,
        cast(period_days as integer) as period_days,
        net_metering_type,
        is_exclusion,
        is_estimated,
        demand_kw,
        row_usage,
        row_usage_in_month as usage,
        case
            when is_exclusion then -row_usage_in_month
            else row_usage_in_month
        end as signed_usage,
        usage_unit,
        currency,
        is_counted,
        exclusion_reason,
        document_fingerprint
    from calendarized

)

select * from final
