{#- Quality gate: in no parsed column of the landing (dates, numbers,
    amounts, booleans, enumerations, units, currencies, countries) do more
    than var landing_max_unparsed_share (0.05) of the non-empty values fail
    to parse. Fails with each such entity and column, its counts, share and
    three sample values: a folder written in another convention (day-first
    dates, decimal commas) must be read with the matching date_order or
    decimal_separator, never pass with its values emptied. -#}
select *
from {{ ref('dq_unparsed_shares') }}
where unparsed_share > {{ var('landing_max_unparsed_share') }}
