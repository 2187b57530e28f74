{#- The unparsed values counted of the optional finding reviews (macro
    unparsed_value_counts); a part of the ledger with the portfolio's, the
    bills' and the carbon inputs'. -#}
{{ unparsed_value_counts(screened_entity_groups()['reviews']) }}
