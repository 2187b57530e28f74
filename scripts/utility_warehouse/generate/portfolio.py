"""Building a company's portfolio: sites, meters (with the special ones),
the groups billed together and their accounts."""

from __future__ import annotations

import itertools
from datetime import timedelta

from utility_warehouse.generate.company_base import _CompanyBase
from utility_warehouse.generate.domain import (
    _IDENTIFIER_PREFIXES,
    _IDENTIFIER_TYPES,
    _INTENSITY,
    _LARGE_USAGE_SCALE,
    _OTHER_COMMODITIES,
    _OTHER_IDENTIFIER_TYPES,
    _PLACES,
    _PLANT_FIGURES,
    _PROVIDER_KIND,
    _PROVIDERS,
    _RESERVOIR_RATE,
    _RESERVOIR_USAGE,
    _SHARED_IDENTIFIER_METERS,
    _SITE_KINDS,
    _SLOT_COMMODITIES,
    _STREET_KINDS,
    _STREETS,
    _TAGS,
    _UNIT_ROTATION,
    LARGE_CURRENCY,
)
from utility_warehouse.generate.entities import _Account, _Group, _Meter, _Site
from utility_warehouse.generate.kinds import (
    _REJECTED_GROUP,
    _REJECTED_STATUS,
    CASCADE_ACCOUNT,
)
from utility_warehouse.generate.oracle import _add_months


class _Portfolio(_CompanyBase):
    """Builds the company's sites, meters, groups and accounts."""

    def _build(self) -> None:
        rng = self.rng
        if self.large:
            self.currency, self.country = LARGE_CURRENCY, "VN"
            self.scale = _LARGE_USAGE_SCALE
        elif self.index == 1:
            self.currency = rng.choice(("EUR", "CAD"))
            self.country = "DE" if self.currency == "EUR" else "CA"
        with_connections = self.landing.has("connections")
        for kind, names in _PROVIDERS.items():
            self.provider_names[kind] = rng.choice(names)
            self.connections[kind] = (
                self._id("CN", 5) if kind != "fuel" and with_connections else None
            )
        self._build_sites()
        self._build_meters()
        self._build_groups()

    def _build_sites(self) -> None:
        rng = self.rng
        count = self.params.sites
        for si in range(count):
            city, region, postal = rng.choice(_PLACES[self.country])
            if self.country == "US":
                postal_code = f"{postal}{rng.randint(0, 99):02d}"
            elif self.country == "DE":
                postal_code = f"{postal}{rng.randint(100, 999)}"
            elif self.country == "VN":
                postal_code = f"{postal}{rng.randint(0, 9999):04d}"
            else:
                postal_code = f"{postal} {rng.randint(1, 9)}{rng.choice('ABCEGHJ')}"
                postal_code += str(rng.randint(1, 9))
            street = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} "
            street += rng.choice(_STREET_KINDS)
            name = f"{city} {rng.choice(_SITE_KINDS)} {si + 1}"
            if self.first and si == 1 % count:
                name = "Café Zürich"
            site = _Site(
                id=self._id("S", 6),
                index=si,
                name=self.mess.fit(name),
                address=street,
                city=self.mess.fit(city),
                region=region,
                postal_code=postal_code,
                country=self.country,
                floor_area=float(rng.randrange(8_000, 250_000, 50)),
            )
            past = (count >= 4 and si % 4 == 3) or (
                count < 4 and self.index % 2 == 1 and si == count - 1
            )
            if past:
                # Within the billed range, so that some bills start after it.
                span = (self.gen.last_day - self.gen.first_day).days
                site.stop_date = max(
                    self.gen.last_day - timedelta(days=rng.randint(90, 240)),
                    self.gen.first_day + timedelta(days=span // 3),
                )
            elif self.first and si == 1 % count:
                site.stop_date = self.gen.last_day + timedelta(days=45)
            site.net_metered = si == 2 % count
            site.demand = si % 2 == 0 or site.net_metered
            site.combined = si % 2 == 1
            self.sites.append(site)
        if self.first and count >= 2:
            # New sites mirroring the home site: their first months are estimated
            # from it, scaled by floor area (or not, without a floor area).
            home = self.sites[0]
            home.area_mode = "present"
            mirrors = [(self.sites[-1], "present")]
            if count >= 3:
                mirrors.append((self.sites[-2], "absent"))
            months = self.params.months
            for site, mode in mirrors:
                site.mirror_site_id, site.area_mode = home.id, mode
                if months >= 4:
                    site.begin = _add_months(
                        self.gen.first_day, months // 2
                    ) + timedelta(days=9)
                self.mirrors.append(site)
        if self.first:
            accented = self.sites[1 % count]
            self.landing.note(
                "accented_site", {"site_id": accented.id, "name": accented.name}
            )

    def _new_meter(
        self, commodity: str, site: _Site | None, group_key: str | None = None
    ) -> _Meter:
        rng = self.rng
        if group_key is None:
            kind = _PROVIDER_KIND[commodity]
            if site is not None and site.combined and kind in ("power", "gas"):
                kind = "combined"
            group_key = kind
        seq = self.gen.counters.get("M", 0) + 1
        meter = _Meter(
            id=self._id("M"),
            seq=seq,
            commodity=commodity,
            site=site,
            group_key=group_key,
        )
        rotation = _UNIT_ROTATION.get(commodity, ("kWh",))
        turn = self.unit_turns.get(commodity, self.index)
        self.unit_turns[commodity] = turn + 1
        meter.unit = rotation[turn % len(rotation)]
        area = site.floor_area if site is not None else 5_000.0
        meter.daily = (
            area
            / 1000
            * _INTENSITY.get(commodity, 30.0)
            * rng.uniform(0.5, 1.4)
            * self.scale
        )
        meter.has_demand = (
            commodity == "ELECTRICITY" and site is not None and site.demand
        )
        if site is not None:
            meter.service_address = f"{site.address}, {site.city}"
        else:
            meter.service_address = (
                f"Lot {rng.randint(1, 400)}, {rng.choice(_STREETS)} Rd"
            )
        # 1-3 identifiers, several types, sometimes two of the same type.
        types = _IDENTIFIER_TYPES.get(commodity, _OTHER_IDENTIFIER_TYPES)
        chosen = ["METER" if rng.random() < 0.8 else rng.choice(types)]
        if rng.random() < 0.5:
            chosen.append(rng.choice(types))
        if rng.random() < 0.2:
            chosen.append("METER" if rng.random() < 0.5 else rng.choice(types))
        meter.identifiers = [
            (kind, f"{_IDENTIFIER_PREFIXES.get(kind, 'X')}{seq:07d}{k}")
            for k, kind in enumerate(chosen)
        ]
        tag_count = rng.choice((0, 0, 1, 1, 2))
        meter.tags = [rng.choice(_TAGS) for _ in range(tag_count)]
        if len(meter.tags) == 2 and meter.tags[0] == meter.tags[1]:
            meter.tags.pop()
        self.meters.append(meter)
        return meter

    def _build_meters(self) -> None:
        rng = self.rng
        sites = self.sites
        count = len(sites)
        for site in sites:
            for slot in range(self.params.meters_per_site):
                self._new_meter(_SLOT_COMMODITIES[slot % len(_SLOT_COMMODITIES)], site)
        regular = list(self.meters)
        home = sites[0]
        original = self.meters[0]
        self.original = original
        # The same physical meter recorded twice: it shares the identifiers.
        twin = self._new_meter(original.commodity, home, original.group_key)
        twin.unit, twin.daily, twin.twin = original.unit, original.daily, original
        twin.has_demand, twin.is_duplicated = original.has_demand, True
        twin.identifiers = list(original.identifiers)
        sub = self._new_meter("ELECTRICITY", home, "sub")
        sub.daily *= 0.2
        sub.identifiers[0] = ("SUBMETER", f"SM{sub.seq:07d}0")
        sewer = self._new_meter("SEWER", home)
        others: tuple[str, ...]
        if self.first:
            others = _OTHER_COMMODITIES
        else:
            others = (
                _OTHER_COMMODITIES[self.index % 5],
                _OTHER_COMMODITIES[(self.index + 2) % 5],
            )
        for commodity in others:
            self._new_meter(commodity, home)
        unassigned = self._new_meter("ELECTRICITY", None, "unassigned")
        unassigned.tags = ["Parking"]
        # Meters whose identifiers overlap, billed together at the home site.
        for label, identifiers in _SHARED_IDENTIFIER_METERS:
            meter = self._new_meter("ELECTRICITY", home, "shared")
            meter.identifiers = list(identifiers)
            meter.tags = []
            self.shared[label] = meter
        if self.large:
            # A plant with three electricity meters and a reservoir meter, billed
            # monthly at the level of their bills with exact figures (planted
            # apart), so that those bills stand out in nothing but their digits.
            start, end = self._large_bill_period()
            seasons = self.gen.seasons
            for figure in _PLANT_FIGURES:
                meter = self._new_meter("ELECTRICITY", home, "plant")
                meter.unit = "kWh"
                meter.daily = float(figure.replace(",", "")) / seasons.total(
                    "ELECTRICITY", start, end
                )
            reservoir = self._new_meter("WATER", home, "reservoir")
            reservoir.unit = "gal"
            reservoir.daily = float(_RESERVOIR_USAGE.replace(",", "")) / seasons.total(
                "WATER", start, end
            )
            reservoir.rate = _RESERVOIR_RATE
        if self.first:
            # Billed on the home site's main bill, with no charges of its own.
            cascade = self._new_meter("ELECTRICITY", home, original.group_key)
            cascade.cascade_reason = "unknown_commodity"
            cascade.identifiers = cascade.identifiers[:1]
            cascade.tags = ["Critical load"]
            # Billed on an account whose status is rejected: the account, the
            # meter, its identifiers and tags, its bills, their usage rows and
            # line items are all quarantined.
            rejected = self._new_meter("ELECTRICITY", home, _REJECTED_GROUP)
            rejected.cascade_reason = CASCADE_ACCOUNT
            rejected.tags = ["Tenant"]
        # Special meters among the regular ones.

        def first_of(site: _Site) -> _Meter | None:
            return next((m for m in regular if m.site is site), None)

        def last_of(site: _Site) -> _Meter | None:
            return next((m for m in reversed(regular) if m.site is site), None)

        untracked = last_of(sites[1 % count])
        if untracked is None or untracked is original:
            untracked = sewer
        untracked.is_tracked = False
        excluding = first_of(sites[3 % count])
        if excluding is not None:
            excluding.exclusion_share = rng.uniform(0.05, 0.15)
        matched = first_of(sites[count - 1])
        if matched is not None:
            matched.match_by_identifier = True
        solar_site = sites[2 % count]
        solar = next(
            (
                m
                for m in regular
                if m.site is solar_site and m.commodity == "ELECTRICITY"
            ),
            None,
        )
        if solar is not None:
            # Panels covering a tenth to a fifth of the site's use: net usage
            # stays comparable year over year.
            solar.solar_kw = solar.daily * rng.uniform(0.04, 0.08)
            solar.has_demand = True
            if "Solar" not in solar.tags:
                solar.tags.append("Solar")

    def _account(
        self, group: _Group, status: str, number: str | None = None
    ) -> _Account:
        rng = self.rng
        commodities = [m.commodity for m in group.meters]
        if "ELECTRICITY" in commodities:
            primary = rng.choice(("METER", "POD", "ESI"))
        elif "GAS" in commodities:
            primary = rng.choice(("METER", "MIRN"))
        else:
            primary = rng.choice(("METER", "PREMISE"))
        secondary = rng.choice((None, "PREMISE", "ACCOUNT", "SUMMARY_ACCOUNT"))
        if number is None:
            number = f"{rng.randint(1000, 9999)}-{rng.randint(100000, 999999)}-"
            number += f"{rng.randint(10, 99)}"
        return _Account(
            id=self._id("A", 6),
            number=number,
            provider_name=self.provider_names[group.provider],
            connection_id=self.connections[group.provider],
            status=status,
            primary_type=primary,
            secondary_type=secondary,
        )

    def _build_groups(self) -> None:
        rng = self.rng
        by_key: dict[tuple[str, str], _Group] = {}
        for meter in self.meters:
            key = (meter.site.id if meter.site is not None else "", meter.group_key)
            group = by_key.get(key)
            if group is None:
                provider = meter.group_key
                if provider not in _PROVIDERS:
                    provider = _PROVIDER_KIND[meter.commodity]
                group = _Group(key=meter.group_key, provider=provider, site=meter.site)
                group.calendar = meter.group_key == "water"
                if meter.group_key in ("plant", "reservoir"):
                    group.fixed = self._large_bill_period()
                by_key[key] = group
                self.groups.append(group)
            group.meters.append(meter)
        for group in self.groups:
            status = "DETECTED" if group.provider == "fuel" else "ONBOARDED"
            group.accounts.append(self._account(group, status))
            if group.key == _REJECTED_GROUP:
                group.owner.written_status = _REJECTED_STATUS
            if group.key == "sub":
                group.owner.primary_type = "SUBMETER"
                group.owner.secondary_type = "SUB_ACCOUNT"
            if group.provider == "water" and self.index % 2 == 1:
                group.line_items = False
        regular = [g for g in self.groups if g.key in _PROVIDERS and g.site is not None]
        count = len(self.sites)
        # The sub-account links to the main account of the home site.
        home_group = next(g for g in regular if g.site is self.sites[0])
        for group in self.groups:
            if group.key == "sub":
                group.owner.active_account_id = home_group.owner.id
        # A chain of old accounts: A -> B (-> C) -> current owner.
        chain_site = self.sites[1 % count]
        chained = next(g for g in regular if g.site is chain_site)
        depth = 3 if self.index % 2 == 0 else 2
        owner = chained.owner
        old: list[_Account] = []
        for level in range(depth):
            status = "INACTIVE" if level == 0 else "OLD_ACCOUNT"
            old.append(self._account(chained, status))
        links = [*old, owner]
        for account, target in itertools.pairwise(links):
            account.active_account_id = target.id
        chained.accounts = links
        # A duplicate account that re-bills the last periods of a real one.
        dup_site = self.sites[2 % count]
        duplicated = [g for g in regular if g.site is dup_site][-1]
        duplicate = self._account(duplicated, "DUPLICATE", duplicated.owner.number)
        if rng.random() < 0.5:
            duplicate.number = duplicate.number.replace("-", "")
        duplicate.active_account_id = duplicated.owner.id
        duplicated.duplicate = duplicate
        # Accounts naming themselves as their active account: no link at all.
        for k in range(self._bad_count(len(self.groups))):
            account = regular[-1 - k % len(regular)].owner
            if account.active_account_id is None:
                account.active_account_id = account.id
                self.landing.note_item("self_linked_accounts", account.id)
