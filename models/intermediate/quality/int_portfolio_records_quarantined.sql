{#- The quarantined records of the companies, sites, connections, accounts,
    meters, meter identifiers and meter tags, with reason, reason_detail and
    raw values (macro quarantined_records); half of dq_quarantine. -#}
{{ quarantined_records(screened_entity_groups()['portfolio']) }}
