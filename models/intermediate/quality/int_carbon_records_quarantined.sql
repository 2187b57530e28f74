{#- The records quarantined of the optional carbon inputs,
    emission factors and contractual instruments (macro quarantined_records);
    a part of the ledger with the portfolio's and the bills'. -#}
{{ quarantined_records(screened_entity_groups()['carbon']) }}
