"""Importing contacts from a CSV file onto a guest list: check, preview, then commit all or nothing.

The preview is carried to the confirming request as a payload signed with the app's secret
key (itsdangerous, its own salt, one hour), so nothing in a hidden field is trusted without
its signature; the rows are checked again against the database before anything is written.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..convenings.models import Convening
from ..diversity.countries import countries
from ..errors import DomainError
from ..people.models import Gender, Person, Sector
from . import services
from .models import Invitation, MeetingRole, Priority

REQUIRED_COLUMNS = ("name", "email", "organization", "country", "sector")
OPTIONAL_COLUMNS = ("gender",)
MAX_ROWS = 5000
PREVIEW_MAX_AGE = 3600
SALT = "convene.invitations.csv-import"


class CsvImportError(DomainError):
    """The file as a whole cannot be read (encoding, columns); the message is shown as it is."""


@dataclass
class Row:
    line: int
    name: str
    email: str
    organization: str = ""
    country: str | None = None
    sector: str | None = None
    gender: str | None = None
    #: Set when the e-mail matches a person already in the directory.
    person_id: int | None = None
    person_name: str = ""

    def as_list(self) -> list:
        return [self.line, self.name, self.email, self.organization, self.country, self.sector, self.gender]


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def new_people(self) -> list[Row]:
        return [r for r in self.rows if r.person_id is None]

    @property
    def matched(self) -> list[Row]:
        return [r for r in self.rows if r.person_id is not None]


def decode(raw: bytes) -> str:
    """UTF-8 with or without a byte-order mark; anything else is refused with a clear message."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvImportError(
            f"The file is not UTF-8 text (byte 0x{raw[error.start]:02X} at position {error.start} cannot be "
            "read as UTF-8; it may be Latin-1 or Windows-1252). In your spreadsheet choose “Save as… CSV UTF-8” "
            "and upload the file again.") from error


def _lookup(enum_cls) -> dict[str, str]:
    table = {}
    for member in enum_cls:
        table[member.value.lower()] = member.value
        table[member.label.lower()] = member.value
    return table


def _country_lookup() -> dict[str, str]:
    table = {}
    for code, row in countries().items():
        table[code.lower()] = code
        table[row["name"].lower()] = code
    return table


def parse(raw: bytes, convening: Convening) -> Preview:
    """Read the file and check every row; raises CsvImportError when the file itself is unusable."""
    text = decode(raw)
    if not text.strip():
        raise CsvImportError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        raise CsvImportError(f"The file is not a readable CSV file: {error}.") from error
    _check_header(header)
    records = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(records) >= MAX_ROWS:
                raise CsvImportError(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
            records.append((reader.line_num, values))
    except csv.Error as error:
        raise CsvImportError(f"Line {reader.line_num}: the CSV cannot be read ({error}).") from error
    return check_rows([_row_from(line, header, values) for line, values in records], convening)


def _check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c or "(blank)" for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s): " + ", ".join(unknown))
    if duplicated:
        problems.append("repeated column(s): " + ", ".join(duplicated))
    if problems:
        raise CsvImportError("The first line must name the columns " + ", ".join(REQUIRED_COLUMNS)
                           + " and optionally gender; this file has " + "; ".join(problems) + ".")


def _row_from(line: int, header: list[str], values: list[str]) -> tuple[int, dict[str, str], int]:
    data = {column: (values[i].strip() if i < len(values) else "") for i, column in enumerate(header)}
    return line, data, len(values)


def check_rows(records: list[tuple[int, dict[str, str], int]], convening: Convening) -> Preview:
    """Validate rows against the rules and the current directory and guest list."""
    from ..mail.services import MailError, normalise_address
    import sqlalchemy as sa
    from ..extensions import db

    preview = Preview()
    countries_by_name, sectors, genders = _country_lookup(), _lookup(Sector), _lookup(Gender)
    seen: dict[str, int] = {}
    width = len(REQUIRED_COLUMNS)
    candidates = []
    for line, data, n_values in records:
        problems = []
        if n_values < width:
            problems.append(f"only {n_values} value(s) where {width} or more are expected")
        name = " ".join(data.get("name", "").split())
        if not name:
            problems.append("the name is empty")
        elif len(name) > 200:
            problems.append("the name is longer than 200 characters")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in data.get("name", "") + data.get("organization", "")):
            problems.append("the name or organization contains a line break or control character")
        email = ""
        try:
            email = normalise_address(data.get("email", "")).lower()
        except MailError as error:
            problems.append(str(error).rstrip("."))
        if email and email in seen:
            problems.append(f"the e-mail {email} is also on line {seen[email]}")
        country = countries_by_name.get(data.get("country", "").lower()) if data.get("country") else None
        if data.get("country") and country is None:
            problems.append(f"unknown country “{data['country']}” (use a two-letter ISO code such as KE)")
        sector = sectors.get(data.get("sector", "").lower()) if data.get("sector") else None
        if data.get("sector") and sector is None:
            problems.append(f"unknown sector “{data['sector']}” (one of " + ", ".join(s.value for s in Sector) + ")")
        gender = genders.get(data.get("gender", "").lower()) if data.get("gender") else None
        if data.get("gender") and gender is None:
            problems.append(f"unknown gender “{data['gender']}” (one of " + ", ".join(g.value for g in Gender)
                            + ", or leave it empty)")
        if len(data.get("organization", "")) > 300:
            problems.append("the organization is longer than 300 characters")
        if email:
            seen.setdefault(email, line)
        if problems:
            preview.errors.append((line, "; ".join(problems) + "."))
        else:
            candidates.append(Row(line=line, name=name, email=email, organization=" ".join(
                data.get("organization", "").split()), country=country, sector=sector, gender=gender))
    emails = [r.email for r in candidates]
    people = {p.email: p for p in db.session.scalars(sa.select(Person).where(Person.email.in_(emails)))} \
        if emails else {}
    on_list = services.on_list_person_ids(convening)
    for row in candidates:
        person = people.get(row.email)
        if person is not None and person.id in on_list:
            preview.errors.append((row.line, f"{person.name} ({row.email}) is already on the guest list."))
        elif person is not None and person.erased_at is not None:
            preview.errors.append((row.line, f"{row.email} belongs to a person erased from the directory."))
        else:
            if person is not None:
                row.person_id, row.person_name = person.id, person.name
            preview.rows.append(row)
    preview.errors.sort()
    return preview


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(convening: Convening, preview: Preview, role: str, priority: str) -> str:
    return _serializer().dumps({"c": convening.id, "role": role, "priority": priority,
                                "rows": [r.as_list() for r in preview.rows]})


def unsign(payload: str, convening: Convening) -> tuple[list[tuple[int, dict[str, str], int]], str, str]:
    """The rows, role and priority of a signed preview of this convening; CsvImportError if tampered or old."""
    try:
        data = _serializer().loads(payload or "", max_age=PREVIEW_MAX_AGE)
    except SignatureExpired as error:
        raise CsvImportError("The preview is more than an hour old; please upload the file again.") from error
    except BadSignature as error:
        raise CsvImportError("The preview could not be verified; please upload the file again.") from error
    if data.get("c") != convening.id:
        raise CsvImportError("The preview belongs to another convening; please upload the file again.")
    keys = ("name", "email", "organization", "country", "sector", "gender")
    records = [(row[0], {k: (v or "") for k, v in zip(keys, row[1:])}, len(REQUIRED_COLUMNS)) for row in data["rows"]]
    return records, data.get("role", ""), data.get("priority", "")


def commit(convening: Convening, preview: Preview, *, role: str, priority: str, actor) -> list[Invitation]:
    """Create the new people and every invitation; the caller commits once (all or nothing)."""
    from ..extensions import db
    from ..people.services import create_person

    if preview.errors:
        raise CsvImportError("The file has rows to correct; nothing was imported.")
    if role not in {r.value for r in MeetingRole} or priority not in {p.value for p in Priority}:
        raise CsvImportError("Choose a role and a priority from the lists.")
    people = []
    for row in preview.rows:
        if row.person_id is not None:
            people.append(db.session.get(Person, row.person_id))
            continue
        data: dict[str, Any] = {"name": row.name, "email": row.email, "organization_name": row.organization,
                                "country": row.country or "", "sector": row.sector or ""}
        if row.gender:
            data["gender"] = row.gender
        people.append(create_person(data, actor=actor, with_sensitive=bool(row.gender)))
    db.session.flush()
    added, refused = services.add_people(convening, people, role=role, priority=priority, actor=actor)
    if refused:
        raise CsvImportError("Nothing was imported: " + " ".join(refused))
    return added
