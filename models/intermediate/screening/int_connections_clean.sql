{#- The clean connections: rows that passed screening. -#}
with

screened_connections as (

    select * from {{ ref('int_connections_screened') }}

),

clean_connections as (

    select
        connection_id,
        company_id,
        provider_name
    from screened_connections
    where quarantine_reason is null

)

select * from clean_connections
