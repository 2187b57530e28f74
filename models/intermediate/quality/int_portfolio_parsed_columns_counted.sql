{#- Per parsed column of the companies, sites, connections, accounts and
    meters: the non-empty values and those that could not be parsed (macro
    parsed_column_counts); half of dq_unparsed_shares. -#}
{{ parsed_column_counts(screened_entity_groups()['portfolio']) }}
