{#- The parsed columns counted of the optional finding reviews (macro
    parsed_column_counts); a part of the ledger with the portfolio's, the
    bills' and the carbon inputs'. -#}
{{ parsed_column_counts(screened_entity_groups()['reviews']) }}
