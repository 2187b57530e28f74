{#- One fingerprint per clean bill: a hash of everything the bill-level
    facts read for it (the bill and its account, its usage rows as
    standardized, its line items, and the meters and sites they name, with
    the as-of-dependent archive flag). The incremental facts keyed by bill
    (int_usage_inclusion_assessed, fct_calendarized_usage,
    int_bill_meters_collected, int_bill_costs_allocated,
    fct_bill_meter_costs, fct_calendarized_costs) rebuild only the bills
    whose fingerprint differs from the one their rows carry, and drop rows
    of bills that no longer exist: an incremental run gives exactly the
    rows of a full rebuild. -#}
with

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

accounts as (

    select * from {{ ref('int_accounts_linked_to_reporting_account') }}

),

usage_standardized as (

    select * from {{ ref('int_usage_data_clean') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

sites as (

    select * from {{ ref('int_sites_archived') }}

),

meter_states as (

    select
        meters.meter_id,
        {{ row_hash([
            'meters.meter_id', 'meters.company_id', 'meters.account_id',
            'meters.site_id', 'meters.commodity', 'meters.is_tracked',
            'meters.is_duplicated', 'sites.is_archived',
            'sites.data_collection_stop_date'
        ]) }} as meter_hash
    from meters
    left join sites
        on meters.site_id = sites.site_id

),

usage_hashes as (

    select
        usage_standardized.document_id,
        sum(
            {{ row_hash([
                'usage_standardized.usage_id', 'usage_standardized.meter_id',
                'usage_standardized.start_date', 'usage_standardized.end_date',
                'usage_standardized.commodity', 'usage_standardized.raw_usage',
                'usage_standardized.raw_usage_unit',
                'usage_standardized.standard_usage',
                'usage_standardized.usage_unit',
                'usage_standardized.standardization_method',
                'usage_standardized.is_exclusion',
                'usage_standardized.is_estimated',
                'usage_standardized.net_metering_type',
                'usage_standardized.demand_kw',
                'usage_standardized.meter_match_method',
                'meter_states.meter_hash'
            ]) }}
        ) as usage_hash
    from usage_standardized
    left join meter_states
        on usage_standardized.meter_id = meter_states.meter_id
    group by usage_standardized.document_id

),

line_item_hashes as (

    select
        line_items.document_id,
        sum(
            {{ row_hash([
                'line_items.line_item_id', 'line_items.meter_id',
                'line_items.charge_type', 'line_items.commodity',
                'line_items.amount', 'meter_states.meter_hash'
            ]) }}
        ) as line_item_hash
    from line_items
    left join meter_states
        on line_items.meter_id = meter_states.meter_id
    group by line_items.document_id

),

fingerprinted as (

    select
        documents.document_id,
        {{ row_hash([
            'documents.document_id', 'documents.account_id',
            'documents.start_date', 'documents.bill_date',
            'documents.total_charges', 'documents.current_charges',
            'documents.currency', 'documents.is_superseded',
            'accounts.company_id', 'accounts.status',
            'accounts.reporting_account_id',
            'coalesce(usage_hashes.usage_hash, 0)',
            'coalesce(line_item_hashes.line_item_hash, 0)'
        ]) }} as document_fingerprint
    from documents
    inner join accounts
        on documents.account_id = accounts.account_id
    left join usage_hashes
        on documents.document_id = usage_hashes.document_id
    left join line_item_hashes
        on documents.document_id = line_item_hashes.document_id

)

select * from fingerprinted
