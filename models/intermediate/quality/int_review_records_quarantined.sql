{#- The records quarantined of the optional finding reviews (macro
    quarantined_records); a part of the ledger with the portfolio's, the
    bills' and the carbon inputs'. -#}
{{ quarantined_records(screened_entity_groups()['reviews']) }}
