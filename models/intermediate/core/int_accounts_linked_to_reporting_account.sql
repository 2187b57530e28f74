{#- Each clean account with its reporting account: the end of its chain of
    active-account links (A -> B -> C reports through C; an account without
    a link reports through itself). Screening walked the links, quarantined
    cycles and dropped links to accounts that are not clean, so every clean
    chain ends in a clean account. -#}
with

accounts as (

    select * from {{ ref('int_accounts_clean') }}

),

linked as (

    select
        accounts.account_id,
        accounts.company_id,
        accounts.connection_id,
        accounts.account_number,
        accounts.provider_name,
        accounts.status,
        accounts.active_account_id,
        accounts.primary_identifier_type,
        accounts.secondary_identifier_type,
        accounts.reporting_account_id,
        accounts.link_depth,
        reporting_accounts.account_number as reporting_account_number,
        reporting_accounts.status as reporting_account_status
    from accounts
    inner join accounts as reporting_accounts
        on accounts.reporting_account_id = reporting_accounts.account_id

)

select * from linked
