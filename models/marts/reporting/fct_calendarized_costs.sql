{#- Every attributed bill x meter cost, counted or not, spread over the
    calendar months of the bill's period (start_date to bill_date, both
    included) by inclusive daily proration (macro calendarize). Its counted
    rows give the costs of fct_meter_monthly. -#}
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
        is_counted
    from bill_meter_costs

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
        is_counted
    from calendarized

)

select * from final
