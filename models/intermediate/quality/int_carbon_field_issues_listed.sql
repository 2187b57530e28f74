{#- The field issues listed of the optional carbon inputs,
    emission factors and contractual instruments (macro field_issue_records);
    a part of the ledger with the portfolio's and the bills'. -#}
{{ field_issue_records(screened_entity_groups()['carbon']) }}
