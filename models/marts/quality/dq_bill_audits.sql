{#- Bill audits: one row per finding, over the counted bills (a bill nobody
    supersedes with at least one counted bill x meter cost) and their
    counted usage. Every comparison is strict ("more than"):
      line_items_mismatch        a bill with line items and current_charges
                                 where |current_charges - sum of items| >
                                 max(1.00, dq_line_item_tolerance x
                                 |current_charges|);
      repeated_charges           non-zero current_charges equal to those of
                                 the previous counted bill of the same
                                 account and currency (start_date,
                                 bill_date, document_id order);
      estimated_streak           a meter period (int_meter_periods_collapsed)
                                 holding an estimated read that is the
                                 dq_estimated_streak-th or later in a run of
                                 consecutive such periods (start, end,
                                 document_id order);
      unit_cost_outlier          a counted bill x meter with consumption
                                 above zero and a cost, whose cost per unit
                                 (six decimals) differs from the median of
                                 the meter's other such bills in that
                                 currency (3 or more; an even count takes
                                 the mean of the middle two) by more than
                                 dq_unit_cost_threshold x |median|;
      usage_outside_bill_period  a counted usage row with more than
                                 dq_bill_period_tolerance_days of its days
                                 before its bill's start_date or after its
                                 bill_date;
      late_fee                   a positive line item whose description
                                 matches dq_late_fee_pattern in any case;
      high_demand_share          DEMAND line items summing to more than
                                 dq_demand_share_threshold x positive
                                 current_charges;
      stale_meter                an active meter whose latest period ends
                                 more than dq_stale_days before the as-of
                                 date;
      implausible_intensity      a site x commodity x calendar year whose
                                 counted usage (fct_meter_monthly, standard
                                 unit) per ft2 of floor area (1 m2 =
                                 10.7639 ft2) is above the commodity's
                                 bound in seed intensity_bounds.
    Bill-level audits carry the bill's site when all its counted meters
    share one, else null. The leave-one-out median is read from the middle
    order statistics of the meter's costs (no self-join): without the k-th
    of n sorted values, the middle ones of the rest are the values at the
    middle positions, shifted by one at or after k. -#}
with

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

bill_meter_costs as (

    select * from {{ ref('fct_bill_meter_costs') }}

),

bill_meters as (

    select * from {{ ref('int_bill_meters_collected') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

usage_rows as (

    select * from {{ ref('int_usage_inclusion_assessed') }}

),

periods as (

    select * from {{ ref('int_meter_periods_collapsed') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

intensity_bounds as (

    select * from {{ ref('intensity_bounds') }}

),

counted_bill_meters as (

    select * from bill_meter_costs
    where is_counted

),

bill_sites as (

    select
        document_id,
        min(company_id) as company_id,
        case
            when count(distinct site_id) = 1 and count(site_id) = count(*)
                then min(site_id)
        end as site_id
    from counted_bill_meters
    group by document_id

),

counted_bills as (

    select
        documents.document_id,
        documents.account_id,
        documents.start_date,
        documents.bill_date,
        documents.current_charges,
        documents.currency,
        bill_sites.company_id,
        bill_sites.site_id
    from documents
    inner join bill_sites
        on documents.document_id = bill_sites.document_id
    where not documents.is_superseded

),

bill_line_items as (

    select
        line_items.line_item_id,
        line_items.document_id,
        line_items.charge_type,
        line_items.description,
        line_items.amount
    from line_items
    inner join counted_bills
        on line_items.document_id = counted_bills.document_id

),

line_item_totals as (

    select
        document_id,
        sum(amount) as line_item_amount,
        sum(case when charge_type = 'DEMAND' then amount end) as demand_amount
    from bill_line_items
    group by document_id

),

bill_totals as (

    select
        counted_bills.*,
        line_item_totals.line_item_amount,
        line_item_totals.demand_amount
    from counted_bills
    inner join line_item_totals
        on counted_bills.document_id = line_item_totals.document_id

),

line_items_mismatch as (

    select
        document_id,
        company_id,
        site_id,
        currency,
        line_item_amount as observed,
        current_charges as expected,
        greatest(
            cast(1.00 as decimal(3, 2)),
            cast({{ var('dq_line_item_tolerance') }} as decimal(18, 6))
            * abs(current_charges)
        ) as allowed
    from bill_totals
    where current_charges is not null

),

repeated_candidates as (

    select
        document_id,
        company_id,
        site_id,
        currency,
        current_charges,
        lag(document_id) over (
            partition by account_id, currency
            order by start_date, bill_date, {{ binary_collated('document_id') }}
        ) as previous_document_id,
        lag(current_charges) over (
            partition by account_id, currency
            order by start_date, bill_date, {{ binary_collated('document_id') }}
        ) as previous_charges
    from counted_bills

),

period_runs as (

    select
        meter_id,
        document_id,
        period_start,
        period_end,
        has_estimated_read,
        sum(case when has_estimated_read then 0 else 1 end) over (
            partition by meter_id
            order by
                period_start, period_end, {{ binary_collated('document_id') }}
            rows between unbounded preceding and current row
        ) as run_number
    from periods

),

period_streaks as (

    select
        *,
        sum(case when has_estimated_read then 1 else 0 end) over (
            partition by meter_id, run_number
            order by
                period_start, period_end, {{ binary_collated('document_id') }}
            rows between unbounded preceding and current row
        ) as streak_position
    from period_runs

),

unit_costs as (

    select
        counted_bill_meters.document_id,
        counted_bill_meters.meter_id,
        counted_bill_meters.currency,
        {{ quotient_to_micros(
            'counted_bill_meters.attributed_cost', 'bill_meters.usage_for_share'
        ) }} as unit_cost
    from counted_bill_meters
    inner join bill_meters
        on
            counted_bill_meters.document_id = bill_meters.document_id
            and counted_bill_meters.meter_id = bill_meters.meter_id
    where
        bill_meters.usage_for_share > 0
        and counted_bill_meters.attributed_cost is not null

),

ranked_unit_costs as (

    select
        *,
        row_number() over (
            partition by meter_id, currency
            order by unit_cost, {{ binary_collated('document_id') }}
        ) as cost_rank,
        count(*) over (partition by meter_id, currency) as cost_count
    from unit_costs

),

middle_unit_costs as (

    {#- With m = floor(n / 2): the values at positions m, m + 1 and m + 2
        (2 x position - 2 x offset is n or n - 1 at position m + offset). -#}
    select
        meter_id,
        currency,
        max(
            case
                when 2 * cost_rank in (cost_count, cost_count - 1)
                    then unit_cost
            end
        ) as cost_at_m,
        max(
            case
                when 2 * cost_rank - 2 in (cost_count, cost_count - 1)
                    then unit_cost
            end
        ) as cost_at_m1,
        max(
            case
                when 2 * cost_rank - 4 in (cost_count, cost_count - 1)
                    then unit_cost
            end
        ) as cost_at_m2
    from ranked_unit_costs
    group by meter_id, currency

),

unit_cost_medians as (

    {#- The others are n - 1 values. n even: their median is their m-th
        value, the m-th of all when m < k, else the (m + 1)-th. n odd:
        the mean of their m-th and (m + 1)-th, each shifted the same way
        (m < k is 2k > n; m + 1 < k is 2k > n + 2). -#}
    select
        ranked_unit_costs.document_id,
        ranked_unit_costs.meter_id,
        ranked_unit_costs.currency,
        ranked_unit_costs.unit_cost,
        case
            when ranked_unit_costs.cost_count % 2 = 0
                then
                    case
                        when 2 * ranked_unit_costs.cost_rank
                            > ranked_unit_costs.cost_count
                            then middle_unit_costs.cost_at_m
                        else middle_unit_costs.cost_at_m1
                    end
            else
                (
                    case
                        when 2 * ranked_unit_costs.cost_rank
                            > ranked_unit_costs.cost_count
                            then middle_unit_costs.cost_at_m
                        else middle_unit_costs.cost_at_m1
                    end
                    + case
                        when 2 * ranked_unit_costs.cost_rank
                            > ranked_unit_costs.cost_count + 2
                            then middle_unit_costs.cost_at_m1
                        else middle_unit_costs.cost_at_m2
                    end
                ) * cast(0.5 as decimal(2, 1))
        end as median_unit_cost
    from ranked_unit_costs
    inner join middle_unit_costs
        on
            ranked_unit_costs.meter_id = middle_unit_costs.meter_id
            and ranked_unit_costs.currency = middle_unit_costs.currency
    where ranked_unit_costs.cost_count >= 4

),

unit_cost_outliers as (

    select
        document_id,
        meter_id,
        currency,
        unit_cost,
        median_unit_cost,
        cast({{ var('dq_unit_cost_threshold') }} as decimal(18, 6))
        * abs(median_unit_cost) as allowed
    from unit_cost_medians

),

usage_row_days as (

    select
        usage_rows.usage_id,
        usage_rows.document_id,
        usage_rows.meter_id,
        usage_rows.start_date,
        usage_rows.end_date,
        counted_bills.company_id,
        case
            when usage_rows.start_date < counted_bills.start_date
                then {{ dbt.datediff(
                    'usage_rows.start_date',
                    'least(cast(' ~ dbt.dateadd('day', 1, 'usage_rows.end_date')
                    ~ ' as date), counted_bills.start_date)',
                    'day'
                ) }}
            else 0
        end
        + case
            when usage_rows.end_date > counted_bills.bill_date
                then {{ dbt.datediff(
                    'greatest(cast(' ~ dbt.dateadd('day', -1, 'usage_rows.start_date')
                    ~ ' as date), counted_bills.bill_date)',
                    'usage_rows.end_date',
                    'day'
                ) }}
            else 0
        end as days_outside
    from usage_rows
    inner join counted_bills
        on usage_rows.document_id = counted_bills.document_id
    where
        usage_rows.is_counted
        and (
            usage_rows.start_date < counted_bills.start_date
            or usage_rows.end_date > counted_bills.bill_date
        )

),

latest_periods as (

    select
        meter_id,
        period_start,
        period_end,
        row_number() over (
            partition by meter_id
            order by
                period_end desc,
                period_start desc,
                {{ binary_collated('document_id') }} desc
        ) as recency_rank
    from periods

),

stale_meters as (

    select
        latest_periods.meter_id,
        latest_periods.period_start,
        latest_periods.period_end,
        {{ dbt.datediff(
            'latest_periods.period_end', as_of_date(), 'day'
        ) }} as days_since
    from latest_periods
    inner join meters
        on latest_periods.meter_id = meters.meter_id
    where
        latest_periods.recency_rank = 1
        and meters.is_active

),

site_areas as (

    select
        site_id,
        company_id,
        cast(
            case
                when gross_floor_area_units = 'SQ_FT' then gross_floor_area
                when gross_floor_area_units = 'SQ_M'
                    then gross_floor_area * cast(10.7639 as decimal(8, 4))
            end
            as {{ dbt.type_numeric() }}
        ) as floor_area_ft2
    from sites

),

site_year_usage as (

    select
        site_id,
        commodity,
        cast(extract(year from month) as integer) as usage_year,
        cast(sum(usage) as {{ dbt.type_numeric() }}) as usage
    from meter_monthly
    where site_id is not null
    group by
        site_id,
        commodity,
        cast(extract(year from month) as integer)

),

site_intensities as (

    select
        site_year_usage.site_id,
        site_areas.company_id,
        site_year_usage.commodity,
        site_year_usage.usage_year,
        {{ quotient_to_micros(
            'site_year_usage.usage', 'site_areas.floor_area_ft2'
        ) }} as usage_per_ft2,
        cast(intensity_bounds.max_usage_per_ft2_year as {{ dbt.type_numeric() }})
            as max_usage_per_ft2,
        intensity_bounds.usage_unit,
        site_year_usage.usage
        > intensity_bounds.max_usage_per_ft2_year
        * site_areas.floor_area_ft2 as is_above_bound
    from site_year_usage
    inner join site_areas
        on site_year_usage.site_id = site_areas.site_id
    inner join intensity_bounds
        on site_year_usage.commodity = intensity_bounds.commodity
    where site_areas.floor_area_ft2 > 0

),

findings as (

    select
        'line_items_mismatch' as audit,
        document_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        company_id,
        site_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(null as integer) as year,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        currency,
        observed,
        expected,
        allowed,
        currency as unit
    from line_items_mismatch
    where abs(expected - observed) > allowed

    union all

    select
        'repeated_charges' as audit,
        document_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        previous_document_id as related_document_id,
        company_id,
        site_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(null as integer) as year,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        currency,
        current_charges as observed,
        previous_charges as expected,
        cast(null as {{ dbt.type_numeric() }}) as allowed,
        currency as unit
    from repeated_candidates
    where
        current_charges != 0
        and current_charges = previous_charges

    union all

    select
        'estimated_streak' as audit,
        period_streaks.document_id,
        period_streaks.meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        meters.company_id,
        meters.site_id,
        meters.commodity,
        cast(null as integer) as year,
        period_streaks.period_start,
        period_streaks.period_end,
        cast(null as {{ dbt.type_string() }}) as currency,
        period_streaks.streak_position as observed,
        cast(null as {{ dbt.type_numeric() }}) as expected,
        {{ var('dq_estimated_streak') }} as allowed,
        'reads' as unit
    from period_streaks
    inner join meters
        on period_streaks.meter_id = meters.meter_id
    where
        period_streaks.has_estimated_read
        and period_streaks.streak_position >= {{ var('dq_estimated_streak') }}

    union all

    select
        'unit_cost_outlier' as audit,
        unit_cost_outliers.document_id,
        unit_cost_outliers.meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        meters.company_id,
        meters.site_id,
        meters.commodity,
        cast(null as integer) as year,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        unit_cost_outliers.currency,
        unit_cost_outliers.unit_cost as observed,
        unit_cost_outliers.median_unit_cost as expected,
        unit_cost_outliers.allowed,
        unit_cost_outliers.currency || '/' || meters.usage_unit as unit
    from unit_cost_outliers
    inner join meters
        on unit_cost_outliers.meter_id = meters.meter_id
    where
        abs(unit_cost_outliers.unit_cost - unit_cost_outliers.median_unit_cost)
        > unit_cost_outliers.allowed

    union all

    select
        'usage_outside_bill_period' as audit,
        usage_row_days.document_id,
        usage_row_days.meter_id,
        usage_row_days.usage_id as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        meters.company_id,
        meters.site_id,
        meters.commodity,
        cast(null as integer) as year,
        usage_row_days.start_date as period_start,
        usage_row_days.end_date as period_end,
        cast(null as {{ dbt.type_string() }}) as currency,
        usage_row_days.days_outside as observed,
        cast(null as {{ dbt.type_numeric() }}) as expected,
        {{ var('dq_bill_period_tolerance_days') }} as allowed,
        'days' as unit
    from usage_row_days
    inner join meters
        on usage_row_days.meter_id = meters.meter_id
    where
        usage_row_days.days_outside
        > {{ var('dq_bill_period_tolerance_days') }}

    union all

    select
        'late_fee' as audit,
        bill_line_items.document_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        bill_line_items.line_item_id as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        counted_bills.company_id,
        counted_bills.site_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(null as integer) as year,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        counted_bills.currency,
        bill_line_items.amount as observed,
        cast(null as {{ dbt.type_numeric() }}) as expected,
        cast(null as {{ dbt.type_numeric() }}) as allowed,
        counted_bills.currency as unit
    from bill_line_items
    inner join counted_bills
        on bill_line_items.document_id = counted_bills.document_id
    where
        bill_line_items.amount > 0
        and {{ matches_in_any_case(
            'bill_line_items.description', var('dq_late_fee_pattern')
        ) }}

    union all

    select
        'high_demand_share' as audit,
        document_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        company_id,
        site_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(null as integer) as year,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        currency,
        demand_amount as observed,
        current_charges as expected,
        cast({{ var('dq_demand_share_threshold') }} as decimal(18, 6))
        * current_charges as allowed,
        currency as unit
    from bill_totals
    where
        current_charges > 0
        and demand_amount
        > cast({{ var('dq_demand_share_threshold') }} as decimal(18, 6))
        * current_charges

    union all

    select
        'stale_meter' as audit,
        cast(null as {{ dbt.type_string() }}) as document_id,
        stale_meters.meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        meters.company_id,
        meters.site_id,
        meters.commodity,
        cast(null as integer) as year,
        stale_meters.period_start,
        stale_meters.period_end,
        cast(null as {{ dbt.type_string() }}) as currency,
        stale_meters.days_since as observed,
        cast(null as {{ dbt.type_numeric() }}) as expected,
        {{ var('dq_stale_days') }} as allowed,
        'days' as unit
    from stale_meters
    inner join meters
        on stale_meters.meter_id = meters.meter_id
    where stale_meters.days_since > {{ var('dq_stale_days') }}

    union all

    select
        'implausible_intensity' as audit,
        cast(null as {{ dbt.type_string() }}) as document_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        cast(null as {{ dbt.type_string() }}) as related_document_id,
        company_id,
        site_id,
        commodity,
        usage_year as year,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as {{ dbt.type_string() }}) as currency,
        usage_per_ft2 as observed,
        cast(null as {{ dbt.type_numeric() }}) as expected,
        max_usage_per_ft2 as allowed,
        usage_unit || '/ft2' as unit
    from site_intensities
    where is_above_bound

),

final as (

    select
        cast(audit as {{ dbt.type_string() }}) as audit,
        document_id,
        meter_id,
        item_id,
        related_document_id,
        company_id,
        site_id,
        commodity,
        cast(year as integer) as year,
        period_start,
        period_end,
        currency,
        cast(observed as {{ dbt.type_numeric() }}) as observed,
        cast(expected as {{ dbt.type_numeric() }}) as expected,
        cast(allowed as {{ dbt.type_numeric() }}) as allowed,
        cast(unit as {{ dbt.type_string() }}) as unit
    from findings

)

select * from final
