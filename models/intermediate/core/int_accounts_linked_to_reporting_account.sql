{#- Each clean account with its reporting account: the end of its chain of
    active-account links (A -> B -> C reports through C, two links away;
    an account without a link reports through itself). The links are the
    clean accounts' active_account_id: screening (int_accounts_screened)
    quarantined cycles and dropped links to accounts that are not clean,
    so every chain ends in a clean account. -#}
with

accounts as (

    select * from {{ ref('int_accounts_clean') }}

),

active_account_links as (

    select
        account_id,
        active_account_id
    from accounts
    where active_account_id is not null

),

links_walked as (

    {{ walk_links('active_account_links', 'account_id', 'active_account_id') }}

),

chain_ends as (

    select
        start_id as account_id,
        reached_id as reporting_account_id,
        link_depth
    from (
        select
            links_walked.*,
            row_number() over (
                partition by links_walked.start_id
                order by links_walked.link_depth desc
            ) as depth_rank
        from links_walked
    ) as ranked_reaches
    where depth_rank = 1

),

reporting_accounts_found as (

    select
        accounts.*,
        coalesce(chain_ends.reporting_account_id, accounts.account_id)
            as reporting_account_id,
        coalesce(chain_ends.link_depth, 0) as link_depth
    from accounts
    left join chain_ends
        on accounts.account_id = chain_ends.account_id

),

linked as (

    select
        reporting_accounts_found.account_id,
        reporting_accounts_found.company_id,
        reporting_accounts_found.connection_id,
        reporting_accounts_found.account_number,
        reporting_accounts_found.provider_name,
        reporting_accounts_found.status,
        reporting_accounts_found.active_account_id,
        reporting_accounts_found.primary_identifier_type,
        reporting_accounts_found.secondary_identifier_type,
        reporting_accounts_found.reporting_account_id,
        reporting_accounts_found.link_depth,
        reporting_accounts.account_number as reporting_account_number,
        reporting_accounts.status as reporting_account_status
    from reporting_accounts_found
    inner join accounts as reporting_accounts
        on
            reporting_accounts_found.reporting_account_id
            = reporting_accounts.account_id

)

select * from linked
