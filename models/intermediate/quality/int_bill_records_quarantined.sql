{#- The quarantined records of the documents, usage data and line items, with
    reason, reason_detail and raw values (macro quarantined_records); half of
    dq_quarantine. -#}
{{ quarantined_records(screened_entity_groups()['bills']) }}
