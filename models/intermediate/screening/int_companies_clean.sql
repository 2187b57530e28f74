{#- The clean companies: rows that passed screening. -#}
with

screened_companies as (

    select * from {{ ref('int_companies_screened') }}

),

clean_companies as (

    select
        company_id,
        company_name,
        implied_sewer_fraction
    from screened_companies
    where quarantine_reason is null

)

select * from clean_companies
