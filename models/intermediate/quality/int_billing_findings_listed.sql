{#- The findings about bills and meters, before their severity and review
    (dq_findings): bill period issues (kind = issue_type), duplicate bill
    and meter candidates, usage anomalies and unattributed bills, each with
    its stable finding_id (macro finding_id: the kind and the finding's
    natural keys) and a short detail with the figures compared. -#}
with

period_issues as (

    select * from {{ ref('dq_bill_period_issues') }}

),

duplicate_bills as (

    select * from {{ ref('dq_duplicate_bill_candidates') }}

),

duplicate_meters as (

    select * from {{ ref('dq_duplicate_meter_candidates') }}

),

anomalies as (

    select * from {{ ref('dq_usage_anomalies') }}

),

unattributed as (

    select * from {{ ref('fct_unattributed_bill_costs') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

findings as (

    select
        {{ finding_id('issue_type', ['meter_id', 'document_id']) }}
            as finding_id,
        issue_type as kind,
        company_id,
        site_id,
        meter_id,
        document_id,
        commodity,
        cast({{ dbt.date_trunc('month', 'period_start') }} as date) as month,
        issue_type || ' of '
        || cast(issue_days as {{ dbt.type_string() }}) || ' days, '
        || cast(period_start as {{ dbt.type_string() }}) || ' to '
        || cast(period_end as {{ dbt.type_string() }}) as detail
    from period_issues

    union all

    select
        {{ finding_id(
            "'duplicate_bill'",
            ['duplicate_bills.document_id',
             'duplicate_bills.duplicate_of_document_id']
        ) }} as finding_id,
        'duplicate_bill' as kind,
        accounts.company_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        duplicate_bills.document_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(
            {{ dbt.date_trunc('month', 'duplicate_bills.start_date') }} as date
        ) as month,
        'same account, dates and charges as bill '
        || duplicate_bills.duplicate_of_document_id as detail
    from duplicate_bills
    inner join accounts
        on duplicate_bills.account_id = accounts.account_id

    union all

    select
        {{ finding_id(
            "'duplicate_meter'",
            ['duplicate_meters.meter_id',
             'duplicate_meters.duplicate_of_meter_id',
             'duplicate_meters.identifier_type',
             'duplicate_meters.normalized_value']
        ) }} as finding_id,
        'duplicate_meter' as kind,
        duplicate_meters.company_id,
        meters.site_id,
        duplicate_meters.meter_id,
        cast(null as {{ dbt.type_string() }}) as document_id,
        meters.commodity,
        cast(null as date) as month,
        'shares ' || duplicate_meters.identifier_type || ' '
        || duplicate_meters.normalized_value || ' with meter '
        || duplicate_meters.duplicate_of_meter_id as detail
    from duplicate_meters
    inner join meters
        on duplicate_meters.meter_id = meters.meter_id

    union all

    select
        {{ finding_id("'usage_anomaly'", ['meter_id', 'month']) }}
            as finding_id,
        'usage_anomaly' as kind,
        company_id,
        site_id,
        meter_id,
        cast(null as {{ dbt.type_string() }}) as document_id,
        commodity,
        month,
        'usage ' || cast(round(usage, 2) as {{ dbt.type_string() }}) || ' '
        || usage_unit || ' against '
        || cast(round(usage_prior_year, 2) as {{ dbt.type_string() }})
        || ' a year earlier' as detail
    from anomalies

    union all

    select
        {{ finding_id("'unattributed_bill'", ['document_id']) }}
            as finding_id,
        'unattributed_bill' as kind,
        company_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        document_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast({{ dbt.date_trunc('month', 'start_date') }} as date) as month,
        reason || ': '
        || cast(round(unattributed_cost, 2) as {{ dbt.type_string() }})
        || ' ' || coalesce(currency, 'in an unknown currency') as detail
    from unattributed

)

select * from findings
