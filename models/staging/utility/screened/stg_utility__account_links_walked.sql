{#- Walks every account's active_account_id links (latest version of each
    account, blank ids left out): one row per account and each account its
    chain reaches, with the number of links followed (0 = itself). The walk
    never visits an account twice, so cycles end; an account is in a cycle
    when an account its chain reaches links back to it. -#}
with recursive

raw_accounts as (

    select * from {{ source('utility', 'accounts') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_accounts', 'id') }}

),

account_links as (

    select
        {{ clean_text('id') }} as account_id,
        {{ clean_text('active_account_id') }} as active_account_id
    from latest_versions
    where not {{ is_blank('id') }}

),

walk as (

    select
        account_links.account_id,
        account_links.account_id as reached_account_id,
        account_links.active_account_id as reached_active_account_id,
        0 as link_depth,
        '|' || account_links.account_id || '|' as visited_path
    from account_links

    union all

    select
        walk.account_id,
        account_links.account_id as reached_account_id,
        account_links.active_account_id as reached_active_account_id,
        walk.link_depth + 1 as link_depth,
        walk.visited_path || account_links.account_id || '|' as visited_path
    from walk
    inner join account_links
        on walk.reached_active_account_id = account_links.account_id
    where
        {{ dbt.position("'|' || account_links.account_id || '|'",
                        'walk.visited_path') }} = 0

),

final as (

    select
        account_id,
        reached_account_id,
        reached_active_account_id,
        link_depth
    from walk

)

select * from final
