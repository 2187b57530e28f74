{#- The parsed columns counted of the optional carbon inputs,
    emission factors and contractual instruments (macro parsed_column_counts);
    a part of the ledger with the portfolio's and the bills'. -#}
{{ parsed_column_counts(screened_entity_groups()['carbon']) }}
