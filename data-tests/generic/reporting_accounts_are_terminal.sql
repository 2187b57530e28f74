{#- Every reporting account is terminal: it links to no other account.
    Fails with the accounts whose reporting account still links onwards. -#}
{% test reporting_accounts_are_terminal(model) %}

with

linked_accounts as (

    select * from {{ model }}

),

not_terminal as (

    select
        linked_accounts.account_id,
        linked_accounts.reporting_account_id,
        reporting_accounts.active_account_id as onward_account_id
    from linked_accounts
    inner join linked_accounts as reporting_accounts
        on linked_accounts.reporting_account_id = reporting_accounts.account_id
    where reporting_accounts.active_account_id is not null

)

select * from not_terminal

{% endtest %}
