{#- The clean accounts: rows that passed screening. -#}
with

screened_accounts as (

    select * from {{ ref('int_accounts_screened') }}

),

clean_accounts as (

    select
        account_id,
        company_id,
        connection_id,
        account_number,
        provider_name,
        status,
        active_account_id,
        primary_identifier_type,
        secondary_identifier_type
    from screened_accounts
    where quarantine_reason is null

)

select * from clean_accounts
