with

accounts as (

    select * from {{ ref('int_accounts_linked_to_reporting_account') }}

),

final as (

    select
        account_id,
        company_id,
        connection_id,
        account_number,
        provider_name,
        status,
        active_account_id,
        reporting_account_id,
        reporting_account_number,
        reporting_account_status,
        cast(link_depth as integer) as link_depth,
        primary_identifier_type,
        secondary_identifier_type
    from accounts

)

select * from final
