"""Write a synthetic, deliberately messy landing folder of utility bills.

``pipeline.py generate --out DIR`` writes one file per entity of the landing
contract (``utility_warehouse.contract``) plus ``_generator_manifest.json``, which
states what a warehouse built from the folder has to show (see "The manifest").

What the data holds
    Companies with sites, connections (one per provider), accounts and meters;
    one bill (document) per account and billing period covering all the
    account's meters, with one usage row per meter and period and line items of
    every charge type. Periods are continuous up to the last day of the end
    month: 27-35 days, not aligned to months, for energy; calendar months for
    water and sewer. Electricity peaks in summer and winter, gas and heat in
    winter, water mildly in summer, along smooth curves summed day by day over
    each period, so that a month's usage compares with the same month a year
    earlier whatever the bill periods around it (within a quarter). Every
    company also carries a fixed set of special cases: an account chain of depth
    2 or 3 (old accounts linking to the current one), a sub-account, a duplicate
    account re-billing the last periods, revised bills (some revised twice), an
    untracked, a duplicated and an unassigned (no site) meter, an archived site,
    a net-metered site (EXPORT and GENERATION rows), exclusion rows, estimated
    reads (``is_estimated``), usage rows without meter_id matched through their
    extracted identifiers, detected (fuel) and inactive accounts, several
    commodities and units; two of every three companies (the first among them)
    state an ``implied_sewer_fraction``. The second company bills in EUR or CAD;
    companies outside the US measure floor area in square metres
    (``gross_floor_area_units`` SQ_M). One company (the third, or the first when
    there are fewer) is an industrial VND customer with bills in the billions,
    amounts spelled ``VND 3,580,892,862.63``, ``3580892862.63``,
    ``₫3,580,892,862.63`` or ``vnd 12.5`` (other companies use ``usd 7``-style
    codes too). US sites name the eGRID subregion of their city
    (``grid_region``: ``ERCT``, ``erct`` or `` ERCT ``). Values are spelled
    messily (three date formats, currency symbols and codes, accounting
    negatives, boolean and enumeration spellings, unit spellings, ``45 kW``
    demands, identifiers with stray separators) and some records appear twice
    with different updated_at (the newer wins; sometimes it comes first).
    Site names carry accents (``Café Zürich``, ``Köln``, ``Montréal``);
    sites write their country as alpha-2, alpha-3, name or alias
    in any case (``us``, ``USA``, ``United States of America``, ``DEU``,
    ``UK``). A bill's charges_units is its currency's code in any case, a
    symbol of that currency alone (``US$``, ``CA$``, ``€``, ``₫``) or, where
    the bill's meters are at sites, a bare ``$`` or nothing, which the sites'
    country resolves; amounts also read ``US$ 1,234.56``, ``C$ 12.50``. In JSON
    lines files number and amount columns hold JSON numbers on every other line
    and strings on the others, and with messy names the keys ``id`` and
    ``updated_at`` change spelling from line to line (``id``, ``ID``, `` Id``).

Planted cases, each about 1% of an entity's rows per kind and at least once in
the first company, wherever the unparsed-share limit leaves room (below)
    Quarantine (``injected``): every row reason of the staging layer, each an
    extra record breaking exactly one rule -- missing ids, unparseable,
    implausible (years 0025, 2206, 9999; 0001-01-01 to 9999-12-31) and reversed
    dates, periods over 400 days, bad and out-of-range numbers (``5e19`` MWh, a
    usage converting beyond 10^12, a line item of 10^13), unknown enumerations
    and units, orphans, an account cycle, bills revising themselves or each
    other in a loop (``revision_cycle``; their usage rows and line items are
    ``document_quarantined``), usage rows without meter_id whose identifiers
    are missing (none, ``[]``), not JSON, match no meter (``[METER X-2, METER
    Z-9]``, ``[POD X-1]`` where X-1 is a METER identifier) or several
    (``ambiguous_meter``), and the cascade of a meter with an unknown commodity
    (its usage rows, identifiers and tag are ``meter_quarantined``).

    Field issues (``field_issues``): optional values that cannot be cleaned, on
    records that stay clean -- ``12,000 sq ft`` and negative floor areas, unknown
    floor-area units, stop dates ``2024-13-45`` and 0025, implied sewer fractions
    ``abc`` and ``1.7`` (``2024-13-45`` and ``abc`` only in folders with room
    for them), booleans ``maybe`` (meters, exclusion, is_estimated),
    garbage and 10^13 charges, demand ``n/a`` (``45 kW`` is valid), raw usage
    garbage next to a good standard usage and the reverse, identifier garbage
    on a row with meter_id, links to a missing or quarantined connection, site,
    account, document or mirror site, a mirror site naming itself, line items
    naming no clean meter or an unknown commodity. These extra rows reach the
    warehouse: clean extra bills without usage are unattributed costs, extra
    usage rows and line items change the figures of the bill they sit on.

    Only in entities written as JSON lines (the one format holding objects): a
    row whose id is a JSON object (``bad_id``, no record named, like a missing
    id), and links holding one (field issues ``bad_id``: a meter's site_id, a
    site's mirror_site_id, an account's active_account_id, a bill's
    revised_document_id, a line item's meter_id).

    Rejected values and odd links: an account whose status is ``Active``
    (company 1) with a meter and bills: the account is ``unknown_status``,
    its meter ``account_quarantined``, the meter's identifiers and tag
    ``meter_quarantined``, its bills ``account_quarantined``, their usage rows
    and line items ``document_quarantined``; the cascade meter above is of type
    ``Electric``. Every rejected enumeration value written is counted
    (``rejected_values``). A site whose country is ``Atlantis`` (field issue
    ``unknown_country``); a raw usage ``12,5`` with decimal points
    (``bad_number``, never 125). In company 2, a bill with a line item naming
    a meter of company 1 (field issue ``foreign_meter``: the item is split
    over the bill's own meter, which gets the whole bill;
    ``foreign_meter_bills``).

    Currencies (company 1's sites abroad, ``currency_bills``): a site and an
    account with one electricity meter in each of the US (two meters), Canada,
    the UK, Australia, Sweden, Japan, India, Switzerland and Germany, without
    regular bills. In the last billed month each carries bills whose line items
    name its meter: charges_units ``US$``, ``CA$``, ``£``, ``A$``, ``€``,
    ``Fr.``, ``eUr``, and ambiguous ``$`` (Australia), ``kr``, ``¥``, ``Rs.`` or
    nothing (US), resolved by the site's country; amounts ``US$ 5``,
    ``CA$100``, ``A$ 5``, ``12.00 kr``, ``¥12,000``, ``Rs. 1,23,456.00``
    (Indian grouping), ``₹2,500.00``, ``CHF 1'234.50`` (and with a typographic
    apostrophe). A bill whose ``$`` names meters in the US and Canada (field issue
    ``ambiguous_currency``) and one in ``Dollars`` (``unknown_currency``) have
    no currency: their charges are unattributed with reason
    ``unknown_currency``. The US site also has a bill whose second meter's
    IMPORT usage is -310.5 kWh (field issue ``negative_usage``): it counts as
    billed but weighs zero in cost shares, so the first meter gets the whole
    bill (``negative_usage_bill``). The VND company has two bills without
    meters charging ``123456789012.345678`` and ``99999999999.999999`` (JSON
    numbers in a JSON lines file, ``exact_charges``): unattributed to the last
    digit.

    Outcomes: bills with no meter at all (``unattributed``), a bill whose only
    usage row is quarantined but whose line item names a clean meter (it is
    attributed), identifier matches (``expected_meter_matches``: ``[METER X1,
    ACCOUNT "ACC 1"]`` where the account number is on two meters, a meter and
    its duplicated twin sharing an identifier, an exact identifier set among
    several candidates), an account naming itself as its active account (no
    link, no issue), document ids reused for a different bill and older
    versions of records (``replaced_versions``), and in the VND company a bill
    of ``VND 3,580,892,862.63`` over three electricity meters of 144,655.561 /
    596,079.843 / 20,736.123 kWh and a water usage row of 6,227,440,270.173 gal
    from Jan 15 to Feb 14 (``special_cases``), each one bill of a plant billed
    monthly at that level.

The carbon inputs (``carbon_company``)
    After the companies, one clean carbon company (``CO`` + companies + 1),
    never touched by the planted cases: three US sites with eGRID subregions,
    meters of ELECTRICITY, GAS, FUEL_OIL, PROPANE and STEAM, each billed on
    its own account by one bill per calendar month (first to last day), so a
    bill's usage is its month's activity. Its ``contractual_instruments`` (the
    only ones): a site REC spanning a month boundary mid-month, a company-wide
    supplier-specific contract (0.21 kg/kWh, market US), an unlimited green
    tariff and a REC larger than its site's month
    (``unused_instrument_quantity``); ``emission_factors`` holds one obviously
    synthetic US residual mix for electricity. Company 1 also gets a clean
    site without a country with a gas meter billed the same way. With the
    regular companies' meters (an unassigned electricity meter each, the
    district commodities at company 1's home site) every energy commodity
    has counted usage.

Planted data-quality findings (``planted_findings``), all of them in the first
company and one kind each on about 1% of the other companies' accounts whose
every bill counts
    Missing bills (a gap, the months it leaves partly or wholly uncovered -- a
    whole calendar month on water bills -- and in company 1 enough of them on
    one meter that its site and commodity is not ENERGY STAR ready), a bill
    starting 2-5 days before the previous one ends (overlap), a 12-19 day and a
    41-50 day bill (short and long periods; long ones only where usage hardly
    varies with the season), a last bill ending after the as-of date (6-25 days;
    the as-of month on calendar bills: future period), a water bill entered
    twice under another id (duplicate bill; its usage doubles the month, an
    anomaly when the month a year earlier is complete) and a water month at
    2.2-2.8 times its usual usage (anomaly), both within the last 12 months.
    Company 1 also has two new sites (their bills start half-way) mirroring the
    home site, one with and one without a floor area (mirror estimates, and
    maybe not ENERGY STAR ready), a site ready with the month it is ready
    through, implied sewer at its sites without a sewer meter, and an estimated
    read with a demand (estimated usage, peak demand); every company has three
    pairs of meters sharing an identifier (duplicate meter candidates).

    Beyond these the quality marts show almost nothing: the extra usage rows of
    planted cases are small (0.5-2% of the period's usage) and sit on bills of
    their own meter with the same dates, clean planted bills without usage never
    share an account, dates and charges, and net-metered panels cover only part
    of a site's use. Only the as-of month is missing for every meter billed to
    date (the coverage window includes the as-of day), and sites with less than
    a year of history are not ENERGY STAR ready.

The unparsed-share limit
    The warehouse fails a build when more than 5% (its default limit) of the
    non-empty values of a column it parses (JUDGED_COLUMNS: dates, timestamps,
    numbers, amounts, booleans, enumerations, units, currencies and countries)
    cannot be parsed.
    Every folder stays within that limit, whatever its size, convention,
    formats, encoding and files left out. As rows are written the landing
    counts each judged column's non-empty values, over the records that win
    their key (charges_units over clean bills only), and the values planted
    that cannot be parsed; UNPARSEABLE_KINDS maps each kind planting one to
    the columns it spoils (out-of-range and implausible values parse). Such a
    value is written only when, with it, at most 5% of the column's non-empty
    values so far cannot be parsed, so the folder's final share can only be
    lower; a kind without room is skipped, and the manifest states only what
    was planted. So that company 1 has room for what it plants, its sites abroad
    come before its other dimension rows, the planted dimension rows that spoil
    a value come after the clean ones, the account whose status is ``Active``
    and the meter of type ``Electric`` after the company's other accounts and
    meters (without room both are written clean, and nothing cascades from
    them), planted site rows state their floor-area unit, and the kinds forced
    on company 1's bills come after all of its bills. Columns holding few
    values take no bad one in small folders (one bad value needs some twenty
    good ones): a company's implied_sewer_fraction (one per company) and a
    site's data_collection_stop_date (about one site in four: some eighty
    sites in company 1), so the default and the smaller folders plant
    neither ``abc`` nor ``2024-13-45``; the smallest (a site or two) may also
    leave out the bad floor area, floor-area unit and country.

The manifest
    ``parameters``, ``as_of`` (the as-of date the expectations are stated
    for: the day after the last billed month), ``files`` (the file of each
    entity), ``encoding``, ``rows`` (rows written per entity), ``counts``
    (quarantine and field issues per entity and reason), ``replaced_versions``
    and ``replaced_versions_differing`` (raw rows per entity that lose to a
    newer version of their key, and those whose values differ from the
    winner's), ``special_cases``, then the lists ``injected`` ({entity,
    record_id, reason}: exactly the quarantine; record_id null for rows
    without a usable id, reasons missing_id and bad_id), ``field_issues``
    ({entity, record_id, column_name, reason}: exactly the field-issue
    ledger), ``unattributed`` ({document_id, currency, unattributed_cost,
    reason}: exactly the unattributed-cost ledger; currency null with reason
    unknown_currency), ``planted_findings`` (below) and
    ``expected_meter_matches`` ({usage_id: meter_id} for every clean usage row
    without meter_id). Also ``landing`` (the folder's date_order and
    decimal_separator, and what its landing.json states), ``rejected_values``
    ({entity, column_name, raw_value, row_count}: every rejected value of an
    enumeration, unit, currency, country or boolean written, on the rows that
    win their key) and
    ``site_countries`` ({site_id: alpha-2, null when the country is unknown}
    for every clean site), and ``unparsed_values`` ({entity, column_name,
    non_empty_count, unparsed_count} for every judged column of the files
    written: what dq_unparsed_shares counts; the portfolio's entities).
    ``expected_inventory`` ({company_id, note, rows}) holds the rows
    ``rpt_ghg_inventory`` must show for the carbon company (company_id, year,
    scope, method, activity_kwh, co2e_t, share_with_factor), worked out by
    ``carbon`` from the methodology (docs/methodology.md), the emission_factors
    seed and the files written.

    ``planted_findings`` lists {kind, ...} with the values the quality marts
    must show, worked out from the periods written by the warehouse's rules
    (``counts.planted_findings`` per kind): ``gap``, ``overlap``,
    ``short_period``, ``long_period``, ``future_period`` (meter_id,
    document_id, period_start, period_end, issue_days, as in
    dq_bill_period_issues); ``partial_month`` and ``missing_month`` (meter_id,
    month, required_days, covered_days); ``energy_star_ready`` (site_id,
    commodity, ready_through) and ``not_energy_star_ready`` (site_id,
    commodity, cause ``missing_bills`` or ``new_site``); ``duplicate_bill``
    (document_id, the greater, duplicate_of_document_id, account_id);
    ``duplicate_meter`` (meter_id, duplicate_of_meter_id, identifier_type,
    normalized_value); ``anomaly`` (meter_id, month, cause ``spike`` or
    ``duplicate_bill``); ``implied_sewer`` (site_id, implied_sewer_fraction);
    ``mirror_estimate`` (site_id, mirror_site_id, commodity, month,
    scale_factor); ``estimated_read`` (meter_id, usage_id, document_id, the
    months with its estimated usage); ``peak_demand`` (meter_id, usage_id, the
    month it counts in, demand_kw: the month's peak is at least that).

    ``expected_bill_audits`` lists {audit, document_id, meter_id, item_id,
    site_id, company_id, commodity, year, case} (dq_bill_audits' natural keys,
    null where the audit has none) for the audits ``planted_audits`` plants in
    company 1 (two clean US sites, each audit with a near-miss) and the VND
    company's implausible home site; ``bill_audit_near_misses`` the cases
    just inside a threshold, which dq_bill_audits must not show; and
    ``bill_audits_complete`` ({audit: bool}) whether an audit's list holds
    every finding of the folder (only stale_meter: regular bills trip the
    others now and then) or only the planted ones.

Landing-folder shape
    By default file and column names are messy the way exports are
    (``Meter_Tags.csv``, ``line_items.CSV``, headers `` updated_at `` and
    ``Demand ``); ``--clean-names`` writes the contract's names. ``--without
    connections`` (or meter_tags, line_items; repeatable) leaves an optional
    file out, and the data and manifest follow (accounts then name no
    connection). ``--encoding cp1252`` writes CSV and JSONL in another
    encoding (Parquet text is always UTF-8); symbols the encoding lacks are
    spelled as codes.

Conventions (``--locale``)
    ``mdy-point`` (the default) writes month-first and ISO dates with decimal
    points. ``dmy-comma`` writes the same portfolio, value for value, with
    every date day-first (``13.01.2025`` where the default writes
    ``2025-01-13``, ``13/01/2025`` for ``01/13/2025`` and ISO timestamps) and
    decimal commas (``1.820,55 €``, ``12,5``; Indian grouping becomes groups
    of three), plus ``landing.json`` stating ``{"date_order": "dmy",
    "decimal_separator": ","}``; ``dmy-point`` and ``mdy-comma`` change one of
    the two. updated_at stays ISO; JSON numbers are written as strings with
    decimal commas. A folder in another encoding than UTF-8 states it in
    landing.json too. ``--no-landing-json`` leaves the file out: a folder the
    loader must refuse (its dates or amounts prove the other convention)
    unless the run is told the convention.

Scale
    Rows are streamed to the writers bill by bill and the manifest's lists to
    scratch files, so memory stays bounded (Parquet is buffered in row groups
    of 100,000 rows per entity). There is about one usage row per meter and
    month, plus the planted rows (1% per kind: about a quarter more).
    Measured on a shared 2-core machine:

    - defaults (3 companies, 4 sites, 3 meters per site, 24 months):
      ~2.5k usage rows, under a second;
    - ``--companies 100 --sites 65 --meters-per-site 4 --months 36``:
      1.23M usage rows, 719k bills, 2.31M line items in about 40 s with 90 MB
      peak RSS as CSV; the manifest (49 MB) lists 333k quarantined rows, 160k
      field issues, 29k unattributed bills, 10k identifier matches and 1.9k
      planted findings. Working the findings out adds about 5% to the time.

The same arguments always give byte-identical files: every value comes from
``random.Random`` streams seeded from ``--seed`` and the company number, never
from the clock. Files of the same entity under another name or format are removed
from the output folder so that the folder holds exactly one file per entity.

The package, one job per module
    ``command`` (generate() and the subcommand), ``parameters`` (the arguments,
    validated), ``values`` (the row type, amounts as text), ``domain`` (the
    portfolio's vocabulary), ``mess`` (messy spellings), ``conventions``
    (``--locale``), ``writers`` (file names, headers and the CSV, JSON lines and
    Parquet writers), ``landing`` (what is written and counted; the manifest),
    ``kinds`` and ``unparsed`` (the planted kinds and the unparsed-share
    limit), ``entities`` and ``seasons`` (the portfolio model and seasonal
    usage), ``oracle`` (the warehouse's data-quality rules, for the findings);
    one company is ``company`` over its parts: ``company_base`` (shared state
    and planting), ``portfolio``, ``dimensions``, ``periods``, ``bills``,
    ``planted_documents``, ``planted_usage``, ``large_bills``, ``findings``
    (the manifest's expectations) and ``currencies`` (company 1's sites
    abroad); ``planted_audits`` (the bill audits and their near-misses);
    ``carbon_company`` (the carbon inputs) and ``carbon`` (the expected GHG
    inventory, the methodology (docs/methodology.md)).
"""

from utility_warehouse.generate.command import (
    COMMAND,
    HELP,
    add_arguments,
    generate,
    main,
)
from utility_warehouse.generate.conventions import DEFAULT_LOCALE, LOCALES
from utility_warehouse.generate.kinds import UNKEYED_REASONS
from utility_warehouse.generate.landing import MANIFEST_NAME
from utility_warehouse.generate.parameters import OPTIONAL_FILES, OUTPUT_FORMATS
from utility_warehouse.generate.unparsed import (
    JUDGED_COLUMNS,
    MAX_UNPARSED_SHARE,
    UNPARSEABLE_KINDS,
)

__all__ = [
    "COMMAND",
    "DEFAULT_LOCALE",
    "HELP",
    "JUDGED_COLUMNS",
    "LOCALES",
    "MANIFEST_NAME",
    "MAX_UNPARSED_SHARE",
    "OPTIONAL_FILES",
    "OUTPUT_FORMATS",
    "UNKEYED_REASONS",
    "UNPARSEABLE_KINDS",
    "add_arguments",
    "generate",
    "main",
]
