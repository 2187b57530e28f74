{#- The currency of every clean bill (ISO 4217), settled after usage and
    line items were screened. A bill whose charges_units states one
    currency (a code, or a symbol of one currency) has it. A bill whose
    charges_units is a symbol several currencies use ($, ¥, kr) or is
    blank takes the currency of the countries of its sites when they all
    share one: the sites of the bill's meters (the meters of its clean
    usage rows and those its clean line items name; unassigned meters have
    no site), each with a country whose currency is known. Otherwise the
    currency is null with the field issue ambiguous_currency; a
    charges_units that is neither a code nor a symbol is unknown_currency.
    A bill whose currency is null attributes nothing: its charges go to
    fct_unattributed_bill_costs with reason unknown_currency. -#}
with

documents as (

    select * from {{ ref('int_documents_clean') }}

),

usage_data as (

    select * from {{ ref('int_usage_data_clean') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

sites as (

    select * from {{ ref('int_sites_clean') }}

),

unsettled_documents as (

    select document_id
    from documents
    where charges_units_status in ('ambiguous', 'missing')

),

bill_meters as (

    select
        usage_data.document_id,
        usage_data.meter_id
    from usage_data
    inner join unsettled_documents
        on usage_data.document_id = unsettled_documents.document_id
    union
    select
        line_items.document_id,
        line_items.meter_id
    from line_items
    inner join unsettled_documents
        on line_items.document_id = unsettled_documents.document_id
    where line_items.meter_id is not null

),

bill_sites as (

    select distinct
        bill_meters.document_id,
        sites.site_id,
        sites.currency_code
    from bill_meters
    inner join meters
        on bill_meters.meter_id = meters.meter_id
    inner join sites
        on meters.site_id = sites.site_id

),

site_currencies as (

    select
        document_id,
        count(*) as site_count,
        count(currency_code) as sites_with_currency,
        count(distinct currency_code) as currency_count,
        min(currency_code) as currency_code
    from bill_sites
    group by document_id

),

resolved as (

    select
        documents.document_id,
        documents.charges_units,
        documents.charges_units_status,
        case
            when documents.charges_units_status = 'stated'
                then documents.stated_currency
            when
                site_currencies.sites_with_currency = site_currencies.site_count
                and site_currencies.currency_count = 1
                then site_currencies.currency_code
        end as currency
    from documents
    left join site_currencies
        on documents.document_id = site_currencies.document_id

),

final as (

    select
        document_id,
        charges_units,
        currency,
        case
            when charges_units_status = 'stated' then 'stated'
            when currency is not null then 'sites'
        end as currency_source,
        case
            when charges_units_status = 'unknown' then 'unknown_currency'
            when currency is null then 'ambiguous_currency'
        end as charges_units_issue
    from resolved

)

select * from final
