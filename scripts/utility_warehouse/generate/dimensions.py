"""Writing a company's dimension rows (company, connections, sites, accounts,
meters, identifiers, tags) with the cases planted in each."""

from __future__ import annotations

from utility_warehouse.generate.domain import (
    _BLANK_DEFAULT_SHARE,
    _COMPANY_NAMES,
    _SQ_FT_SPELLINGS,
    _SQ_M_SPELLINGS,
    _UNKNOWN_COUNTRIES,
    SQ_FT_PER_SQ_M,
    grid_region_text,
)
from utility_warehouse.generate.entities import _Account, _Group, _Meter, _Site
from utility_warehouse.generate.kinds import (
    _BAD_BOOLEANS,
    _BAD_DATES,
    _IMPLAUSIBLE_DATES,
    _REJECTED_COMMODITY,
    CASCADE_ACCOUNT,
    CASCADE_METER,
    DIMENSION_KINDS,
    UNKEYED_REASONS,
)
from utility_warehouse.generate.portfolio import _Portfolio
from utility_warehouse.generate.values import (
    Row,
    _as_text,
    normalize_type,
    normalize_value,
)


class _Dimensions(_Portfolio):
    """Writes the company's dimension rows and the cases planted in them."""

    def _write_company(self) -> None:
        rng = self.rng
        name = _COMPANY_NAMES[self.index % len(_COMPANY_NAMES)]
        if self.index >= len(_COMPANY_NAMES):
            name += f" {self.index // len(_COMPANY_NAMES) + 1}"
        fraction = None if self.index % 3 == 1 else f"{rng.uniform(0.6, 0.95):.2f}"
        row: Row = {
            "id": self.id,
            "name": name,
            "implied_sewer_fraction": fraction,
            "updated_at": self._updated_at(self._dimension_time()),
        }
        self.fraction = fraction
        stale = None
        if self.first or rng.random() < 0.2:
            stale = {**row, "name": f"{name} (old name)"}
        self._write_versions("companies", row, stale)
        if self.large:
            self.landing.note("large_currency_company", self.id)
        for kind in self._dimension_kinds("companies"):
            for _ in range(self._bad_count(1)):
                if not self._can_plant("companies", kind):
                    continue
                company_id = self._id("CO-X", 4)
                extra: Row = {"id": company_id, "name": f"{name} affiliate"}
                if kind == "missing_id":
                    extra.update(id=None, name="Unnamed company")
                elif kind == "bad_id":
                    extra["id"] = {"id": company_id}
                elif kind.endswith("bad_number"):
                    extra["implied_sewer_fraction"] = self._pick(
                        kind, ("abc", "n/a", "70%")
                    )
                else:
                    extra["implied_sewer_fraction"] = self._pick(
                        kind, ("1.7", "-0.2", "85")
                    )
                self._plant("companies", company_id, kind, extra)

    def _write_connections(self) -> None:
        good = 0
        for kind, connection_id in self.connections.items():
            if connection_id is None:
                continue
            row: Row = {
                "id": connection_id,
                "company_id": self.id,
                "provider_name": self.provider_names[kind],
                "updated_at": self._updated_at(self._dimension_time()),
            }
            self.landing.write("connections", row)
            good += 1
        if not self.landing.has("connections"):
            return
        for kind in DIMENSION_KINDS["connections"]:
            for _ in range(self._bad_count(good)):
                if not self._can_plant("connections", kind):
                    continue
                connection_id = self._id("CN", 5)
                row = {
                    "id": connection_id,
                    "company_id": self.id,
                    "provider_name": "Unknown Utility",
                }
                if kind == "missing_id":
                    row["id"] = "  "
                elif kind == "bad_id":
                    row["id"] = {"id": connection_id}
                else:
                    row["company_id"] = "CO-MISSING"
                self._plant("connections", connection_id, kind, row)

    def _site_row(self, site: _Site) -> Row:
        mess = self.mess
        r = self.rng.random
        area = site.floor_area / SQ_FT_PER_SQ_M if site.metric else site.floor_area
        v = r()
        if site.area_mode == "present" and v < 0.1:
            v = 0.3
        if v < 0.1 or site.area_mode == "absent":
            floor_area = None
        elif v < 0.5:
            floor_area = f"{area:,.0f}"
        elif v < 0.8:
            floor_area = f"{area:.0f}"
        else:
            floor_area = f"{area:.1f}"
        if site.metric:
            units: str | None = self.rng.choice(_SQ_M_SPELLINGS)
        else:
            units = self.rng.choice(_SQ_FT_SPELLINGS) if r() < 0.5 else None
        return {
            "id": site.id,
            "company_id": self.id,
            "name": site.name,
            "address": site.address,
            "city": site.city,
            "region": site.region,
            "postal_code": site.postal_code,
            "country": self.mess.country(site.country),
            "gross_floor_area": floor_area,
            "gross_floor_area_units": units,
            "data_collection_stop_date": (
                mess.date(site.stop_date) if site.stop_date is not None else None
            ),
            "mirror_site_id": site.mirror_site_id,
            "updated_at": self._updated_at(self._dimension_time()),
            "grid_region": (
                grid_region_text(site.city, site.index)
                if site.country == "US"
                else None
            ),
        }

    def _write_sites(self) -> None:
        rng = self.rng
        for site in self.sites:
            row = self._site_row(site)
            site.area_text = _as_text(row["gross_floor_area"])
            site.area_units = _as_text(row["gross_floor_area_units"])
            stale = None
            if site.index == 0 or rng.random() < 0.05:
                stale = {**row, "name": f"{site.name} (old)", "gross_floor_area": "1"}
            self._write_versions("sites", row, stale)
            self.landing.site_country(site.id, site.country)
        home = self.sites[0]
        for kind in self._dimension_kinds("sites"):
            for _ in range(self._bad_count(len(self.sites))):
                if not self._can_plant("sites", kind):
                    continue
                site_id = self._id("S", 6)
                row = self._site_row(home)
                row.update(id=site_id, name=f"{home.name} annex {site_id}")
                row["data_collection_stop_date"] = None
                if row["gross_floor_area_units"] is None:  # annexes state it
                    row["gross_floor_area_units"] = rng.choice(_SQ_FT_SPELLINGS)
                country: str | None = home.country
                if kind == "missing_id":
                    row["id"] = None
                elif kind == "bad_id":
                    row["id"] = {"id": site_id}
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "gross_floor_area:bad_number":
                    row["gross_floor_area"] = self._pick(
                        kind, ("12,000 sq ft", "n/a", "approx. 5000")
                    )
                elif kind == "gross_floor_area:out_of_range":
                    row["gross_floor_area"] = self._pick(kind, ("-2,500", "5e13"))
                elif kind == "gross_floor_area_units:unknown_unit":
                    row["gross_floor_area_units"] = self._pick(
                        kind, ("acres", "hectares")
                    )
                elif kind == "data_collection_stop_date:bad_date":
                    row["data_collection_stop_date"] = self._pick(kind, _BAD_DATES)
                elif kind == "data_collection_stop_date:implausible_date":
                    row["data_collection_stop_date"] = self._pick(
                        kind, _IMPLAUSIBLE_DATES
                    )
                elif kind == "mirror_site_id:orphan_site":
                    row["mirror_site_id"] = self._missing("S")
                elif kind == "mirror_site_id:site_quarantined":
                    if not self.bad_sites:
                        continue
                    row["mirror_site_id"] = rng.choice(self.bad_sites)
                elif kind == "mirror_site_id:self_link":
                    row["mirror_site_id"] = site_id
                elif kind == "mirror_site_id:bad_id":
                    row["mirror_site_id"] = {"site_id": home.id}
                else:  # country:unknown_country
                    row["country"] = self._pick(kind, _UNKNOWN_COUNTRIES)
                    country = None
                if not self._plant("sites", site_id, kind, row):
                    continue
                if kind == "orphan_company":
                    self.bad_sites.append(site_id)
                if ":" in kind:
                    self.landing.site_country(site_id, country)

    def _account_row(self, account: _Account) -> Row:
        mess = self.mess
        number = account.number
        if self.rng.random() < 0.2:
            number = f" {number} "
        return {
            "id": account.id,
            "company_id": self.id,
            "connection_id": account.connection_id,
            "account_number": number,
            "provider_name": account.provider_name,
            "status": account.written_status or mess.enum(account.status),
            "active_account_id": account.active_account_id,
            "primary_identifier_type": mess.enum(account.primary_type),
            "secondary_identifier_type": (
                mess.enum(account.secondary_type) if account.secondary_type else None
            ),
            "updated_at": self._updated_at(self._dimension_time()),
        }

    def _write_accounts(self) -> None:
        rng = self.rng
        good = 0
        rejected: list[tuple[_Group, _Account]] = []
        for group in self.groups:
            accounts = [*group.accounts]
            if group.duplicate is not None:
                accounts.append(group.duplicate)
            for account in accounts:
                if account.written_status is not None:
                    rejected.append((group, account))  # last: room for its status
                    continue
                row = self._account_row(account)
                stale = None
                if account.status == "ONBOARDED" and rng.random() < 0.1:
                    stale = {**row, "status": "Detected", "provider_name": "Unknown"}
                self._write_versions("accounts", row, stale)
                good += 1
        written = 0
        for group, account in rejected:
            good += 1
            if not self.landing.has_room("accounts", ("status",)):
                # No room for a status that cannot be parsed: the account and
                # its meter are clean, billed like any other.
                account.written_status = None
                for meter in group.meters:
                    if meter.cascade_reason == CASCADE_ACCOUNT:
                        meter.cascade_reason = None
                self.landing.write("accounts", self._account_row(account))
                continue
            status = str(account.written_status)
            self.landing.write("accounts", self._account_row(account), ("status",))
            self.landing.inject("accounts", account.id, "unknown_status")
            self.landing.rejected("accounts", "status", status)
            self.bad_accounts.append(account.id)
            written += 1
        template = self.groups[0]
        for kind in self._dimension_kinds("accounts"):
            count = self._bad_count(good)
            if kind == "unknown_status":
                count -= written  # the account whose status is Active is one
            for _ in range(count):
                if not self._can_plant("accounts", kind):
                    continue
                account = self._account(template, "ONBOARDED")
                row = self._account_row(account)
                if kind == "missing_id":
                    row["id"] = ""
                elif kind == "bad_id":
                    row["id"] = {"id": account.id}
                elif kind == "unknown_status":
                    row["status"] = self._pick(kind, ("PENDING", "closed?"))
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "active_account_cycle":  # two accounts naming each other
                    partner = self._account(template, "ONBOARDED")
                    partner_row = self._account_row(partner)
                    row["active_account_id"] = partner.id
                    partner_row["active_account_id"] = account.id
                    self._plant("accounts", partner.id, kind, partner_row)
                    self.bad_accounts.append(partner.id)
                elif kind == "connection_id:orphan_connection":
                    row["connection_id"] = self._missing("CN")
                elif kind == "active_account_id:orphan_account":
                    row["active_account_id"] = self._missing("A")
                elif kind == "active_account_id:bad_id":
                    row["active_account_id"] = {"id": template.owner.id}
                else:  # active_account_id:account_quarantined
                    if not self.bad_accounts:
                        continue
                    row["active_account_id"] = rng.choice(self.bad_accounts)
                planted = self._plant("accounts", account.id, kind, row)
                if planted and kind in (
                    "unknown_status",
                    "orphan_company",
                    "active_account_cycle",
                ):
                    self.bad_accounts.append(account.id)

    def _meter_row(self, meter: _Meter, account_id: str) -> Row:
        mess = self.mess
        if meter.cascade_reason == "unknown_commodity":
            commodity = _REJECTED_COMMODITY
        else:
            commodity = mess.enum(meter.commodity)
        return {
            "id": meter.id,
            "company_id": self.id,
            "account_id": account_id,
            "site_id": meter.site.id if meter.site is not None else None,
            "datasource_type": commodity,
            "is_tracked": mess.boolean(
                meter.is_tracked, _BLANK_DEFAULT_SHARE if meter.is_tracked else 0
            ),
            "is_duplicated": mess.boolean(
                meter.is_duplicated, 0 if meter.is_duplicated else _BLANK_DEFAULT_SHARE
            ),
            "service_address": meter.service_address,
            "updated_at": self._updated_at(self._dimension_time()),
        }

    def _write_meters(self) -> None:
        rng = self.rng
        mess = self.mess
        good_identifiers = 0
        good_tags = 0
        # The quarantined meters last: room for the type that cannot be parsed.
        meters = sorted(
            ((group, meter) for group in self.groups for meter in group.meters),
            key=lambda pair: pair[1].cascade_reason is not None,
        )
        for group, meter in meters:
            if meter.cascade_reason == "unknown_commodity" and not (
                self.landing.has_room("meters", ("datasource_type",))
            ):
                meter.cascade_reason = None  # no room: a clean meter
            row = self._meter_row(meter, group.owner.id)
            stale = None
            if meter.cascade_reason is None and rng.random() < 0.05:
                stale = {
                    **row,
                    "is_tracked": mess.boolean(not meter.is_tracked),
                    "service_address": "unknown",
                }
            if meter.cascade_reason == "unknown_commodity":
                self.landing.write("meters", row, ("datasource_type",))
            else:
                self._write_versions("meters", row, stale)
            cascade = meter.cascade_reason is not None
            if cascade:
                self.landing.inject("meters", meter.id, str(meter.cascade_reason))
                if meter.cascade_reason == "unknown_commodity":
                    self.landing.rejected(
                        "meters", "datasource_type", str(row["datasource_type"])
                    )
                self.bad_meters.append(meter.id)
            else:
                self.identifier_sets[meter.id] = frozenset(
                    (normalize_type(kind), normalize_value(value))
                    for kind, value in meter.identifiers
                )
                if meter.is_duplicated:
                    self.duplicated.add(meter.id)
            for kind, value in meter.identifiers:
                if cascade:
                    record = f"{meter.id}|{kind}|{value}"
                    row = {
                        "meter_id": meter.id,
                        "identifier_type": kind,
                        "value": value,
                    }
                    self._plant("meter_identifiers", record, CASCADE_METER, row)
                    continue
                row = {
                    "meter_id": meter.id,
                    "identifier_type": mess.enum(kind),
                    "value": mess.identifier(value),
                    "updated_at": self._updated_at(self._dimension_time(), 0.3),
                }
                if rng.random() < 0.05:  # the same identifier written twice
                    again = {**row, "value": mess.identifier(value)}
                    self._write_versions("meter_identifiers", row, again)
                else:
                    self.landing.write("meter_identifiers", row)
                good_identifiers += 1
            for tag in meter.tags:
                if cascade:
                    row = {"meter_id": meter.id, "tag_name": tag}
                    record = f"{meter.id}|{tag}"
                    self._plant("meter_tags", record, CASCADE_METER, row)
                    continue
                text = f" {tag}" if rng.random() < 0.1 else tag
                self.landing.write(
                    "meter_tags",
                    {
                        "meter_id": meter.id,
                        "tag_name": text,
                        "updated_at": self._updated_at(self._dimension_time(), 0.5),
                    },
                )
                good_tags += 1
        self._write_planted_meters()
        self._write_planted_identifiers(good_identifiers, good_tags)

    def _write_planted_meters(self) -> None:
        rng = self.rng
        home = self.sites[0]
        owner = self.groups[0].owner.id
        for kind in self._dimension_kinds("meters"):
            for _ in range(self._bad_count(len(self.meters))):
                if not self._can_plant("meters", kind):
                    continue
                meter = _Meter(
                    id=self._id("M"),
                    seq=0,
                    commodity="ELECTRICITY",
                    site=home,
                    group_key="",
                )
                meter.service_address = f"{home.address}, {home.city}"
                row = self._meter_row(meter, owner)
                if kind == "missing_id":
                    row["id"] = None
                elif kind == "bad_id":
                    row["id"] = {"id": meter.id}
                elif kind == "unknown_commodity":
                    row["datasource_type"] = self._pick(kind, ("NUCLEAR", "hydrogen"))
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "orphan_account":
                    row["account_id"] = self._missing("A")
                elif kind == "account_quarantined":
                    if not self.bad_accounts:
                        continue
                    row["account_id"] = rng.choice(self.bad_accounts)
                elif kind == "site_id:orphan_site":
                    row["site_id"] = self._missing("S")
                elif kind == "site_id:site_quarantined":
                    if not self.bad_sites:
                        continue
                    row["site_id"] = rng.choice(self.bad_sites)
                elif kind == "site_id:bad_id":
                    row["site_id"] = {"site_id": home.id}
                elif kind == "is_tracked:bad_boolean":
                    row["is_tracked"] = self._pick(kind, _BAD_BOOLEANS)
                else:  # is_duplicated:bad_boolean
                    row["is_duplicated"] = self._pick(kind, _BAD_BOOLEANS)
                planted = self._plant("meters", meter.id, kind, row)
                if planted and ":" not in kind and kind not in UNKEYED_REASONS:
                    self.bad_meters.append(meter.id)

    def _write_planted_identifiers(self, good_identifiers: int, good_tags: int) -> None:
        # Rows without a value sit on different meters so that their keys
        # (meter, type, value) stay distinct.
        clean = [m for m in self.meters if m.cascade_reason is None]
        some_meter = clean[0].id
        for kind in DIMENSION_KINDS["meter_identifiers"]:
            for index in range(self._bad_count(good_identifiers)):
                value = f"ZZ{self._id('Z', 7)}"
                meter_id = some_meter
                if kind == "missing_id":
                    meter_id = ""
                elif kind == "missing_value":
                    value = ""
                    meter_id = clean[index % len(clean)].id
                else:
                    meter_id = self._missing("M")
                row: Row = {
                    "meter_id": meter_id,
                    "identifier_type": "METER",
                    "value": value,
                }
                self._plant("meter_identifiers", f"{meter_id}|METER|{value}", kind, row)
        for kind in DIMENSION_KINDS["meter_tags"]:
            for index in range(self._bad_count(good_tags)):
                meter_id, tag = some_meter, f"Bad tag {self._id('T', 6)}"
                if kind == "missing_id":
                    meter_id = ""
                elif kind == "missing_value":
                    tag = "" if index % 2 == 0 else " "
                    meter_id = clean[index % len(clean)].id
                else:
                    meter_id = self._missing("M")
                row = {"meter_id": meter_id, "tag_name": tag}
                self._plant("meter_tags", f"{meter_id}|{tag}", kind, row)
