{#- Each clean account with its reporting account: the end of its chain of
    active-account links (A -> B -> C reports through C; an account without
    a link reports through itself). Screening quarantined cycles and chains
    through bad accounts, so every clean chain ends in a clean account. -#}
with

accounts as (

    select * from {{ ref('stg_utility__accounts') }}

),

account_links_walked as (

    select * from {{ ref('stg_utility__account_links_walked') }}

),

chain_ends as (

    select
        account_id,
        reached_account_id as reporting_account_id,
        link_depth
    from account_links_walked
    where reached_active_account_id is null

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
        chain_ends.reporting_account_id,
        chain_ends.link_depth,
        reporting_accounts.account_number as reporting_account_number,
        reporting_accounts.status as reporting_account_status
    from accounts
    inner join chain_ends
        on accounts.account_id = chain_ends.account_id
    inner join accounts as reporting_accounts
        on chain_ends.reporting_account_id = reporting_accounts.account_id

)

select * from linked
