{#- The market-based allocation of contractual instruments (GHG Protocol
    Scope 2 Guidance; docs/methodology.md), per company x Scope 2 commodity
    x month,
    over the sites' positive activity (a site's activity is the sum of its
    meters'; a company's unassigned meters are one site with a null
    site_id). One row per instrument and site it covers, with the kWh
    covered and the instrument's co2e rate:
      step 1: site instruments, in id order, each cover up to their
              remaining quantity of their site's uncovered activity;
      step 2: company-wide instruments, in id order, each cover up to their
              quantity of the company's total uncovered activity, shared
              among the sites in proportion to their uncovered activity
              (cumulative rounding, prorate_exactly; sites by site_id, the
              null site last). Each company-wide instrument is its own
              step (at most var company_instruments_max_per_month).
    An instrument with a market covers only sites in that country (the
    unassigned meters have none). What stays uncovered takes the residual
    mix in fct_site_monthly_emissions. -#}
with

activity as (

    select * from {{ ref('int_meter_monthly_activity') }}

),

instrument_months as (

    select * from {{ ref('int_instrument_months') }}

),

site_activity as (

    select
        company_id,
        site_id,
        commodity,
        month,
        max(country_code) as country_code,
        sum(activity_kwh) as activity_kwh,
        case
            when sum(activity_kwh) > 0 then sum(activity_kwh) else 0
        end as positive_kwh
    from activity
    where scope = 2
    group by company_id, site_id, commodity, month

),

site_instruments as (

    select
        instrument_months.instrument_id,
        instrument_months.company_id,
        instrument_months.site_id,
        instrument_months.commodity,
        instrument_months.month,
        instrument_months.quantity_kwh,
        instrument_months.co2e_kg_per_kwh,
        site_activity.positive_kwh,
        coalesce(
            sum(instrument_months.quantity_kwh) over (
                partition by
                    instrument_months.company_id,
                    instrument_months.site_id,
                    instrument_months.commodity,
                    instrument_months.month
                order by
                    {{ binary_collated('instrument_months.instrument_id') }}
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as quantity_before,
        coalesce(
            sum(
                case
                    when instrument_months.quantity_kwh is null then 1 else 0
                end
            ) over (
                partition by
                    instrument_months.company_id,
                    instrument_months.site_id,
                    instrument_months.commodity,
                    instrument_months.month
                order by
                    {{ binary_collated('instrument_months.instrument_id') }}
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as unlimited_before
    from instrument_months
    inner join site_activity
        on
            instrument_months.company_id = site_activity.company_id
            and instrument_months.site_id = site_activity.site_id
            and instrument_months.commodity = site_activity.commodity
            and instrument_months.month = site_activity.month
    where
        instrument_months.market is null
        or instrument_months.market = site_activity.country_code

),

step_1 as (

    select
        instrument_id,
        company_id,
        site_id,
        commodity,
        month,
        co2e_kg_per_kwh,
        1 as allocation_step,
        case
            when unlimited_before > 0 then 0
            when positive_kwh <= quantity_before then 0
            when quantity_kwh is null then positive_kwh - quantity_before
            when quantity_kwh < positive_kwh - quantity_before
                then quantity_kwh
            else positive_kwh - quantity_before
        end as covered_kwh
    from site_instruments

),

uncovered_0 as (

    select
        site_activity.company_id,
        site_activity.site_id,
        site_activity.commodity,
        site_activity.month,
        site_activity.country_code,
        site_activity.positive_kwh
        - coalesce(sum(step_1.covered_kwh), 0) as uncovered_kwh
    from site_activity
    left join step_1
        on
            site_activity.company_id = step_1.company_id
            and site_activity.site_id = step_1.site_id
            and site_activity.commodity = step_1.commodity
            and site_activity.month = step_1.month
    group by
        site_activity.company_id,
        site_activity.site_id,
        site_activity.commodity,
        site_activity.month,
        site_activity.country_code,
        site_activity.positive_kwh

),

company_instruments as (

    select
        *,
        row_number() over (
            partition by company_id, commodity, month
            order by {{ binary_collated('instrument_id') }}
        ) as instrument_rank
    from instrument_months
    where site_id is null

),

-- noqa: disable=LT02
{%- for k in range(1, var('company_instruments_max_per_month') + 1) %}

step_2_pool_{{ k }} as (

    {#- Every site of the previous step, with the company's k-th instrument
        where the site is in its pool (uncovered above zero, in its market):
        each step reads the previous one once, so that engines that inline
        common table expressions (Spark) plan a chain, not a tree that
        doubles with every step. -#}
    select
        uncovered.company_id,
        uncovered.site_id,
        uncovered.commodity,
        uncovered.month,
        uncovered.country_code,
        uncovered.uncovered_kwh,
        company_instruments.instrument_id,
        company_instruments.co2e_kg_per_kwh,
        company_instruments.quantity_kwh,
        sum(uncovered.uncovered_kwh) over (
            partition by
                company_instruments.instrument_id, uncovered.month
        ) as pool_kwh,
        coalesce(
            sum(uncovered.uncovered_kwh) over (
                partition by
                    company_instruments.instrument_id, uncovered.month
                order by
                    case when uncovered.site_id is null then 1 else 0 end,
                    {{ binary_collated('uncovered.site_id') }}
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as weight_before
    from uncovered_{{ k - 1 }} as uncovered
    left join company_instruments
        on
            uncovered.company_id = company_instruments.company_id
            and uncovered.commodity = company_instruments.commodity
            and uncovered.month = company_instruments.month
            and company_instruments.instrument_rank = {{ k }}
            and uncovered.uncovered_kwh > 0
            and (
                company_instruments.market is null
                or uncovered.country_code = company_instruments.market
            )

),

step_2_{{ k }} as (

    select
        instrument_id,
        company_id,
        site_id,
        commodity,
        month,
        country_code,
        uncovered_kwh,
        co2e_kg_per_kwh,
        2 as allocation_step,
        case
            when instrument_id is null then 0
            when quantity_kwh is null or quantity_kwh >= pool_kwh
                then uncovered_kwh
            else {{ prorate_exactly(
                'quantity_kwh',
                'weight_before',
                'weight_before + uncovered_kwh',
                'pool_kwh'
            ) }}
        end as covered_kwh
    from step_2_pool_{{ k }}

),

uncovered_{{ k }} as (

    select
        company_id,
        site_id,
        commodity,
        month,
        country_code,
        uncovered_kwh - covered_kwh as uncovered_kwh
    from step_2_{{ k }}

),
{%- endfor %}
-- noqa: enable=LT02

allocations as (

    -- noqa: disable=LT02
    select * from step_1
    {%- for k in range(1, var('company_instruments_max_per_month') + 1) %}
    union all
    select
        instrument_id,
        company_id,
        site_id,
        commodity,
        month,
        co2e_kg_per_kwh,
        allocation_step,
        covered_kwh
    from step_2_{{ k }}
    where instrument_id is not null
    {%- endfor %}
    -- noqa: enable=LT02

),

final as (

    select
        instrument_id,
        company_id,
        site_id,
        commodity,
        month,
        cast(allocation_step as integer) as allocation_step,
        cast(covered_kwh as {{ dbt.type_numeric() }}) as covered_kwh,
        co2e_kg_per_kwh
    from allocations
    where covered_kwh > 0

)

select * from final
