{#- Cost attribution: every bill nobody supersedes spreads its
    current_charges over the bill's meters (int_bill_meters_collected). One
    row per cost component (a line item, or the bill's residual) and
    receiving meter. In order:
      1 direct        a line item with a meter goes to that meter;
      2 demand_share  a DEMAND item goes to the bill's demand meters (of
                      the item's commodity, when it has one) by demand;
                      with none, as rule 3 or 4;
      3 usage_share   an item with a commodity goes to the bill's meters of
                      that commodity by their usage on the bill (even_split
                      when that usage is zero; as rule 4 when the bill has
                      no meter of that commodity);
      4 even_split    any other item is split evenly over the bill's meters;
      5 residual      current_charges minus all line items goes by usage
                      share when the bill's meters share one commodity (and
                      have usage), else evenly.
    A bill without current_charges attributes its line items only; a bill
    whose currency could not be settled (null) attributes nothing (its
    charges are in fct_unattributed_bill_costs, unknown_currency). Each
    component is split with prorate_exactly over its meters in meter_id
    order, so its parts add up to it exactly. A bill with no meter cannot
    be attributed: it is in fct_unattributed_bill_costs instead.
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

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

all_bill_meters as (

    select * from {{ ref('int_bill_meters_collected') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

documents_to_build as (

    {{ documents_to_build(ref('int_document_fingerprints')) }}

),

current_documents as (

    select
        documents.document_id,
        documents.current_charges,
        documents.currency,
        documents_to_build.document_fingerprint
    from documents
    {{ build_join_type() }} join documents_to_build
        on documents.document_id = documents_to_build.document_id
    where
        not documents.is_superseded
        and documents.currency is not null

),

bill_meters as (

    select all_bill_meters.*
    from all_bill_meters
    inner join current_documents
        on all_bill_meters.document_id = current_documents.document_id

),

bill_commodities as (

    select
        document_id,
        commodity,
        sum(usage_for_share) as commodity_usage,
        sum(demand_weight) as commodity_demand
    from bill_meters
    group by document_id, commodity

),

bills as (

    select
        document_id,
        count(distinct commodity) as commodity_count,
        sum(usage_for_share) as bill_usage,
        sum(demand_weight) as bill_demand
    from bill_meters
    group by document_id

),

bill_line_items as (

    select
        line_items.line_item_id,
        line_items.document_id,
        line_items.meter_id,
        line_items.charge_type,
        line_items.commodity,
        line_items.amount
    from line_items
    inner join current_documents
        on line_items.document_id = current_documents.document_id

),

routed_line_items as (

    select
        bill_line_items.*,
        case
            when bill_line_items.meter_id is not null then 'direct'
            when
                bill_line_items.charge_type = 'DEMAND'
                and bill_line_items.commodity is null
                and bills.bill_demand > 0
                then 'demand_share'
            when
                bill_line_items.charge_type = 'DEMAND'
                and bill_commodities.commodity_demand > 0
                then 'commodity_demand_share'
            when
                bill_commodities.commodity is not null
                and bill_commodities.commodity_usage != 0
                then 'usage_share'
            when bill_commodities.commodity is not null
                then 'commodity_even_split'
            else 'even_split'
        end as route
    from bill_line_items
    inner join bills
        on bill_line_items.document_id = bills.document_id
    left join bill_commodities
        on
            bill_line_items.document_id = bill_commodities.document_id
            and bill_line_items.commodity = bill_commodities.commodity

),

line_item_totals as (

    select
        document_id,
        sum(amount) as line_item_amount
    from bill_line_items
    group by document_id

),

residuals as (

    select
        current_documents.document_id,
        current_documents.current_charges
        - coalesce(line_item_totals.line_item_amount, 0) as amount,
        case
            when bills.commodity_count = 1 and bills.bill_usage != 0
                then 'usage_share'
            else 'even_split'
        end as route
    from current_documents
    inner join bills
        on current_documents.document_id = bills.document_id
    left join line_item_totals
        on current_documents.document_id = line_item_totals.document_id
    where
        current_documents.current_charges
        != coalesce(line_item_totals.line_item_amount, 0)

),

allocation_targets as (

    select
        routed_line_items.document_id,
        routed_line_items.line_item_id as component_id,
        routed_line_items.charge_type as component_type,
        1 as allocation_rule,
        'direct' as allocation_method,
        routed_line_items.meter_id,
        routed_line_items.amount,
        1 as weight
    from routed_line_items
    where routed_line_items.route = 'direct'

    union all

    select
        routed_line_items.document_id,
        routed_line_items.line_item_id as component_id,
        routed_line_items.charge_type as component_type,
        case
            when
                routed_line_items.route
                in ('demand_share', 'commodity_demand_share')
                then 2
            when
                routed_line_items.route
                in ('usage_share', 'commodity_even_split')
                then 3
            else 4
        end as allocation_rule,
        case
            when routed_line_items.route = 'commodity_demand_share'
                then 'demand_share'
            when routed_line_items.route = 'commodity_even_split'
                then 'even_split'
            else routed_line_items.route
        end as allocation_method,
        bill_meters.meter_id,
        routed_line_items.amount,
        case
            when
                routed_line_items.route
                in ('demand_share', 'commodity_demand_share')
                then bill_meters.demand_weight
            when routed_line_items.route = 'usage_share'
                then bill_meters.usage_for_share
            else 1
        end as weight
    from routed_line_items
    inner join bill_meters
        on
            routed_line_items.document_id = bill_meters.document_id
            and (
                routed_line_items.route = 'even_split'
                or (
                    routed_line_items.route = 'demand_share'
                    and bill_meters.demand_weight > 0
                )
                or (
                    routed_line_items.route = 'commodity_demand_share'
                    and bill_meters.demand_weight > 0
                    and routed_line_items.commodity = bill_meters.commodity
                )
                or (
                    routed_line_items.route
                    in ('usage_share', 'commodity_even_split')
                    and routed_line_items.commodity = bill_meters.commodity
                )
            )
    where routed_line_items.route != 'direct'

    union all

    select
        residuals.document_id,
        'residual:' || residuals.document_id as component_id,
        'RESIDUAL' as component_type,
        5 as allocation_rule,
        residuals.route as allocation_method,
        bill_meters.meter_id,
        residuals.amount,
        case
            when residuals.route = 'usage_share'
                then bill_meters.usage_for_share
            else 1
        end as weight
    from residuals
    inner join bill_meters
        on residuals.document_id = bill_meters.document_id

),

weighted as (

    select
        *,
        sum(weight) over (partition by component_id) as total_weight,
        sum(weight) over (
            partition by component_id
            order by {{ binary_collated('meter_id') }}
            rows between unbounded preceding and current row
        ) as weight_through
    from allocation_targets

),

allocated as (

    select
        weighted.document_id,
        weighted.component_id,
        weighted.component_type,
        weighted.allocation_rule,
        weighted.allocation_method,
        weighted.meter_id,
        current_documents.currency,
        weighted.amount as component_amount,
        cast(weighted.weight as {{ dbt.type_numeric() }}) as weight,
        cast(weighted.total_weight as {{ dbt.type_numeric() }})
            as total_weight,
        {{ prorate_exactly(
            'weighted.amount',
            'weighted.weight_through - weighted.weight',
            'weighted.weight_through',
            'weighted.total_weight'
        ) }} as attributed_cost,
        current_documents.document_fingerprint
    from weighted
    inner join current_documents
        on weighted.document_id = current_documents.document_id

)

select * from allocated
