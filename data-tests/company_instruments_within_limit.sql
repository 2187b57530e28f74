{#- The market-based allocation applies company-wide contractual
    instruments one step each, up to var company_instruments_max_per_month
    per company, commodity and month (int_instrument_allocations): more
    would leave some unapplied, so the build fails naming them. -#}
select
    company_id,
    commodity,
    month,
    count(*) as company_instruments
from {{ ref('int_instrument_months') }}
where site_id is null
group by company_id, commodity, month
having count(*) > {{ var('company_instruments_max_per_month') }}
