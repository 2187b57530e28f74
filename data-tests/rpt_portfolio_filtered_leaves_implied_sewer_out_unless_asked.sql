{#- Implied sewer reaches rpt_portfolio_filtered only when the portfolio
    filter asks for it (include_implied: true). Fails with the implied
    rows of an extract that did not ask. -#}
{%- set filter = var('portfolio_filter', {}) or {} %}
select *
from {{ ref('rpt_portfolio_filtered') }}
where
    is_implied
    and not {{ 'true' if filter.get('include_implied') else 'false' }}
