{#- The unparsed values counted of the optional carbon inputs,
    emission factors and contractual instruments (macro unparsed_value_counts);
    a part of the ledger with the portfolio's and the bills'. -#}
{{ unparsed_value_counts(screened_entity_groups()['carbon']) }}
