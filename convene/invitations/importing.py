"""Importing contacts from a guest list file onto a guest list: check, preview, then commit.

The file is read by `guest_files` (CSV in UTF-8, Windows-1252 or UTF-16, comma/semicolon/tab, or
an .xlsx workbook), its headers and values are read as Convene's by `vocabulary`, and every row is
checked. The default is all or nothing; the organizer may instead import the valid rows and
download the refused ones with their reasons.

The preview is carried to the confirming request as a payload signed with the app's secret
key (itsdangerous, its own salt, one hour), so nothing in a hidden field is trusted without
its signature; the rows are checked again against the database before anything is written.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..base.countries import country_name
from ..base.text import has_control_characters
from ..convenings.models import Convening
from ..extensions import db
from ..i18n.locale import LANGUAGES
from ..mail.services import MailError, normalise_address
from ..people.models import Gender, Person, Sector
from ..people.services import create_people
from . import vocabulary
from .guest_files import GuestFileError, Table, read_table
from .guest_list import add_people, on_list_person_ids
from .models import Invitation, MeetingRole, Priority
from .vocabulary import NAME_PARTS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
PREVIEW_MAX_AGE = 3600
SALT = "convene.invitations.csv-import"
#: Characters that make a spreadsheet read a cell as a formula; exported cells starting with one get a "'".
FORMULA_STARTS = ("=", "+", "-", "@")

#: The file-level error keeps its old name: views and tests catch it.
CsvImportError = GuestFileError


@dataclass
class Row:
    line: int
    name: str
    email: str
    organization: str = ""
    country: str | None = None
    sector: str | None = None
    gender: str | None = None
    #: 'en', 'fr' or 'es' from a `language` column; None leaves the choice to the person (or the convening).
    language: str | None = None
    #: Set when the e-mail matches a person already in the directory.
    person_id: int | None = None
    person_name: str = ""


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: How the file was read (guest_files.Table without its rows), for the preview.
    source: Table | None = None
    #: (header cell in the file, the column it was read as or None when ignored).
    headers: list[tuple[str, str | None]] = field(default_factory=list)
    #: column -> Counter of (value in the file, value stored) for sector, gender and country.
    mappings: dict[str, Counter] = field(default_factory=dict)
    #: line -> the row's values as read, for the CSV of refused rows.
    values: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def new_people(self) -> list[Row]:
        return [r for r in self.rows if r.person_id is None]

    @property
    def matched(self) -> list[Row]:
        return [r for r in self.rows if r.person_id is not None]

    @property
    def refused(self) -> list[tuple[int, str, dict[str, str]]]:
        return [(line, reason, self.values.get(line, {})) for line, reason in self.errors]


def parse(raw: bytes, convening: Convening, *, filename: str = "", encoding: str = "auto",
          delimiter: str = "auto") -> Preview:
    """Read the file and check every row; raises CsvImportError when the file itself is unusable."""
    table = read_table(raw, filename, encoding=encoding, delimiter=delimiter)
    headers, positions = map_header(table.header)
    records = [(line, _row_values(values, positions)) for line, values in table.records]
    preview = check_rows(records, convening)
    preview.source, preview.headers = table, headers
    preview.source.records = []
    return preview


def map_header(header: list[str]) -> tuple[list[tuple[str, str | None]], dict[str, int]]:
    """What each header cell means and where each column is; CsvImportError if a column is missing or repeated."""
    headers = [(cell.strip(), vocabulary.header_column(cell)) for cell in header]
    positions: dict[str, int] = {}
    repeated = []
    for index, (cell, column) in enumerate(headers):
        if column is None:
            continue
        if column in positions:
            repeated.append(cell)
        positions.setdefault(column, index)
    has_name = "name" in positions or all(part in positions for part in NAME_PARTS)
    missing = [c for c in REQUIRED_COLUMNS if c not in positions and not (c == "name" and has_name)]
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if repeated:
        problems.append("repeated column(s): " + ", ".join(repeated))
    if problems:
        raise CsvImportError(
            "The first line must name the columns " + ", ".join(REQUIRED_COLUMNS) + " (or first and last name) "
            "and optionally gender; common spellings such as “Full name”, “E-mail address” or “Organisation” "
            "are understood. This file has " + "; ".join(problems) + ". Its first line reads: "
            + ", ".join(cell or "(blank)" for cell, _ in headers) + ".")
    return headers, positions


def _row_values(values: list[str], positions: dict[str, int]) -> dict[str, str]:
    data = {column: unguard(values[i]).strip() if i < len(values) else "" for column, i in positions.items()}
    if "name" not in positions:
        data["name"] = " ".join(data.pop(part, "") for part in NAME_PARTS).strip()
    for part in NAME_PARTS:
        data.pop(part, None)
    short = [column for column, i in positions.items() if i >= len(values) and column in REQUIRED_COLUMNS]
    if short and len(values) < len(REQUIRED_COLUMNS):
        data["_short"] = str(len(values))
    return data


def check_rows(records: list[tuple[int, dict[str, str]]], convening: Convening) -> Preview:
    """Validate rows against the rules and the current directory and guest list."""
    preview = Preview(mappings={"sector": Counter(), "gender": Counter(), "country": Counter(), "language": Counter()})
    seen: dict[str, int] = {}
    candidates = []
    for line, data in records:
        preview.values[line] = {c: data.get(c, "") for c in COLUMNS}
        row, problems = _check_one(line, data, seen, preview.mappings)
        if problems:
            preview.errors.append((line, "; ".join(problems) + "."))
        else:
            candidates.append(row)
    _match_directory(candidates, convening, preview)
    preview.errors.sort()
    return preview


def _check_one(line: int, data: dict[str, str], seen: dict[str, int], mappings: dict[str, Counter]):
    """(the Row, []) for a good line; (None, the problems) otherwise. Records every value mapping made."""
    problems = []
    if data.get("_short"):
        problems.append(f"only {data['_short']} value(s) where {len(REQUIRED_COLUMNS)} or more are expected")
    name = " ".join(data.get("name", "").split())
    if not name:
        problems.append("the name is empty")
    elif len(name) > 200:
        problems.append("the name is longer than 200 characters")
    if has_control_characters(data.get("name", "") + data.get("organization", "")):
        problems.append("the name or organization contains a line break or control character")
    email = ""
    try:
        email = normalise_address(data.get("email", "")).lower()
    except MailError as error:
        problems.append(str(error).rstrip("."))
    if email and email in seen:
        problems.append(f"the e-mail {email} is also on line {seen[email]}")
    if email:
        seen.setdefault(email, line)
    values = {}
    for column, read, hint in (
            ("country", vocabulary.country_code, "use a country name or an ISO code such as KE or KEN"),
            ("sector", vocabulary.sector_value, "one of " + ", ".join(s.label for s in Sector)),
            ("gender", vocabulary.gender_value, "one of " + ", ".join(g.label for g in Gender)
             + ", or leave it empty"),
            ("language", vocabulary.language_value, "English, French or Spanish (en, fr, es), or leave it empty")):
        given = data.get(column, "")
        values[column] = read(given) if given else None
        if given and values[column] is None:
            problems.append(f"unknown {column} “{given}” ({hint})")
        elif given:
            mappings[column][(given, values[column])] += 1
    if len(data.get("organization", "")) > 300:
        problems.append("the organization is longer than 300 characters")
    if problems:
        return None, problems
    organization = " ".join(data.get("organization", "").split())
    return Row(line=line, name=name, email=email, organization=organization, **values), []


def _match_directory(candidates: list[Row], convening: Convening, preview: Preview) -> None:
    """Match rows to people already in the directory by e-mail; refuse those already invited or erased."""
    emails = [r.email for r in candidates]
    people = {p.email: p for p in db.session.scalars(sa.select(Person).where(Person.email.in_(emails)))} \
        if emails else {}
    on_list = on_list_person_ids(convening)
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


def shown_value(column: str, value: str) -> str:
    """A stored value as the preview names it: "Kenya (KE)", "Civil society / NGO"."""
    if column == "country":
        return f"{country_name(value)} ({value})"
    if column == "language":
        return f"{LANGUAGES[value]} ({value})"
    return (Sector if column == "sector" else Gender)(value).label


# --- the signed preview ------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(convening: Convening, preview: Preview, role: str, priority: str) -> str:
    """The rows to import and the refused rows (for their CSV), signed for the confirming request."""
    rows = [[r.line, *(preview.values[r.line][c] for c in COLUMNS)] for r in preview.rows]
    refused = [[line, reason, *(values.get(c, "") for c in COLUMNS)] for line, reason, values in preview.refused]
    return _serializer().dumps({"c": convening.id, "role": role, "priority": priority, "rows": rows,
                                "refused": refused})


def unsign(payload: str, convening: Convening) -> dict[str, Any]:
    """The signed preview of this convening: records, refused, role, priority; CsvImportError if tampered or old."""
    try:
        data = _serializer().loads(payload or "", max_age=PREVIEW_MAX_AGE)
    except SignatureExpired as error:
        raise CsvImportError("The preview is more than an hour old; please upload the file again.") from error
    except BadSignature as error:
        raise CsvImportError("The preview could not be verified; please upload the file again.") from error
    if data.get("c") != convening.id:
        raise CsvImportError("The preview belongs to another convening; please upload the file again.")
    records = [(row[0], dict(zip(COLUMNS, row[1:]))) for row in data["rows"]]
    return {"records": records, "refused": data.get("refused", []), "role": data.get("role", ""),
            "priority": data.get("priority", "")}


def commit(convening: Convening, preview: Preview, *, role: str, priority: str, actor,
           valid_only: bool = False) -> list[Invitation]:
    """Create the new people and their invitations; the caller commits once. All or nothing unless
    `valid_only`, where the rows with problems are left out and everything else is imported."""
    if preview.errors and not valid_only:
        raise CsvImportError("The file has rows to correct; nothing was imported.")
    if not preview.rows:
        raise CsvImportError("There is no valid row to import.")
    if role not in {r.value for r in MeetingRole} or priority not in {p.value for p in Priority}:
        raise CsvImportError("Choose a role and a priority from the lists.")
    matched = {p.id: p for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_([r.person_id for r in preview.matched])))} if preview.matched else {}
    created = iter(create_people([{"name": r.name, "email": r.email, "organization_name": r.organization,
                                   "country": r.country or "", "sector": r.sector or "",
                                   "preferred_language": r.language,
                                   **({"gender": r.gender} if r.gender else {})} for r in preview.new_people],
                                 actor=actor))
    people = [matched[r.person_id] if r.person_id is not None else next(created) for r in preview.rows]
    db.session.flush()
    added, refused = add_people(convening, people, role=role, priority=priority, actor=actor)
    if refused:
        raise CsvImportError("Nothing was imported: " + " ".join(refused))
    return added


# --- files the import writes --------------------------------------------------------------------

def guard(value: str) -> str:
    """A cell a spreadsheet will not run as a formula ("'" before it); `unguard` reverses it on import.
    A value already starting with "'" gets one more, so the round trip gives it back unchanged."""
    return "'" + value if value.startswith(FORMULA_STARTS + ("'",)) else value


def unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS + ("'",)) else value


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([guard(str(v)) for v in row] for row in rows)
    return buffer.getvalue()


def refused_csv(refused: list[list]) -> str:
    """The refused rows as read, with their line and reason; once corrected, the file imports as it is
    (the line and reason columns are ignored)."""
    return _csv(["line", "reason", *COLUMNS], refused)


def people_csv(people, *, with_gender: bool) -> str:
    """People in the import's own format (sector and gender by label, country by ISO code)."""
    columns = list(REQUIRED_COLUMNS) + (["gender"] if with_gender else [])
    rows = []
    for person in people:
        row = [person.name, person.email, person.organization.name if person.organization else "",
               person.country or "", Sector(person.sector).label if person.sector else ""]
        if with_gender:
            row.append(Gender(person.gender).label if person.gender else "")
        rows.append(row)
    return _csv(columns, rows)
