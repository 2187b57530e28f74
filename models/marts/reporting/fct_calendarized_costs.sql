{#- Every attributed bill x meter cost, counted or not, spread over the
    calendar months of the bill's period (start_date to bill_date, both
    included) by inclusive daily proration (macro calendarize). Its counted
    rows give the costs of fct_meter_monthly.
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

bill_meter_costs as (

    select * from {{ ref('fct_bill_meter_costs') }}

),

bill_costs as (

    select
        document_id,
        meter_id,
        company_id,
        site_id,
        commodity,
        currency,
        start_date,
        bill_date,
        attributed_cost,
        is_counted,
        document_fingerprint
    from bill_meter_costs
    where {{ built_documents_filter('document_id') }}

),

calendarized as (

    {{ calendarize(
        'bill_costs', 'start_date', 'bill_date', ['attributed_cost']
    ) }}

),

final as (

    select
        document_id,
        meter_id,
        company_id,
        site_id,
        commodity,
        month,
        cast(overlap_days as integer) as overlap_days,
        cast(period_days as integer) as period_days,
        attributed_cost,
        attributed_cost_in_month as cost,
        currency,
        is_counted,
        document_fingerprint
    from calendarized

)

select * from final
