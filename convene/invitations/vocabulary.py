"""The words guest lists really use, read as Convene's columns and values.

Headers ("Full name", "E-mail address", "Organisation"), sectors ("NGO", "think tank", "UN"),
genders and countries (names, common variants, ISO alpha-2 and alpha-3 codes) are compared after
`normalise`: accents, case, punctuation and repeated spaces do not matter. Every match the import
makes is recorded so the preview can show it before anything is written.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from ..people.models import Gender, Sector

REQUIRED_COLUMNS = ("name", "email", "organization", "country", "sector")
OPTIONAL_COLUMNS = ("gender", "language")
#: Lists that split the name in two; joined as "first last" when there is no name column.
NAME_PARTS = ("first_name", "last_name")

HEADER_ALIASES = {
    "name": ("name", "full name", "fullname", "participant", "participant name", "contact", "contact name",
             "invitee", "guest", "guest name", "person", "nom", "nombre"),
    "first_name": ("first name", "firstname", "given name", "forename", "prenom"),
    "last_name": ("last name", "lastname", "surname", "family name", "nom de famille", "apellido", "apellidos"),
    "email": ("email", "e mail", "email address", "e mail address", "mail", "emailaddress", "courriel",
              "correo", "correo electronico"),
    "organization": ("organization", "organisation", "org", "organization name", "organisation name",
                     "institution", "affiliation", "company", "employer", "entity", "agency"),
    "country": ("country", "country code", "country name", "country region", "country of residence",
                "country of affiliation", "iso", "iso code", "pays", "pais"),
    "sector": ("sector", "sector of work", "stakeholder group", "stakeholder", "constituency", "category",
               "organization type", "organisation type", "type of organization", "type of organisation"),
    "gender": ("gender", "gender identity", "genre", "genero"),
    "language": ("language", "preferred language", "lang", "langue", "langue preferee", "idioma",
                 "idioma preferido", "lengua"),
}

#: Languages as guest lists write them (codes, English names, their own names), read as Convene's codes.
LANGUAGE_ALIASES = {
    "en": ("en", "eng", "english", "anglais", "ingles"),
    "fr": ("fr", "fra", "fre", "french", "francais", "frances"),
    "es": ("es", "spa", "spanish", "espanol", "espagnol", "castellano"),
}

SECTOR_ALIASES = {
    "government": ("gov", "govt", "public sector", "public administration", "ministry", "state",
                   "national government", "parliament"),
    "intergovernmental": ("igo", "un", "united nations", "un agency", "un system", "international organization",
                          "international organisation", "intergovernmental organization",
                          "intergovernmental organisation", "multilateral", "regional organization",
                          "regional organisation", "international"),
    "civil_society": ("civil society", "ngo", "ngos", "cso", "csos", "civil society organization",
                      "civil society organisation", "non governmental", "non governmental organization",
                      "non governmental organisation", "nongovernmental", "non profit", "nonprofit", "npo",
                      "advocacy", "community based organization", "cbo"),
    "academia": ("academic", "academics", "university", "universities", "think tank", "think tanks",
                 "thinktank", "research", "research institute", "research institution", "academia think tanks"),
    "private": ("private", "private sector", "business", "company", "corporate", "industry", "for profit"),
    "media": ("press", "journalist", "journalism", "news media"),
    "philanthropy": ("foundation", "foundations", "donor", "donors", "funder", "funders", "philanthropic"),
    "other": (),
}

GENDER_ALIASES = {
    "woman": ("women", "female", "f"),
    "man": ("men", "male", "m"),
    "non_binary": ("nonbinary", "non binary", "nb", "enby"),
    "self_described": ("self described", "self describe", "prefer to self describe"),
    "prefer_not_to_say": ("prefer not to say", "prefer not to answer", "not disclosed", "declined to say"),
}


def normalise(text: str) -> str:
    """Lower case, accents removed (NFKD), punctuation as spaces, spaces collapsed: "E-mail  Address" -> "e mail address"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace("'", "")
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


@lru_cache(maxsize=1)
def _headers() -> dict[str, str]:
    table = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in (column, *aliases):
            table[normalise(alias)] = column
    return table


def header_column(text: str) -> str | None:
    """The Convene column a header cell means, or None for a column the import ignores."""
    return _headers().get(normalise(text))


def _enum_table(enum_cls, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for member in enum_cls:
        for spelling in (member.value, member.label, *aliases.get(member.value, ())):
            table[normalise(spelling)] = member.value
    # "Civil society / NGO" also reads as its two halves, "Academia / think tank" likewise.
    for member in enum_cls:
        for half in member.label.split("/"):
            table.setdefault(normalise(half), member.value)
    return table


@lru_cache(maxsize=1)
def _sectors() -> dict[str, str]:
    return _enum_table(Sector, SECTOR_ALIASES)


@lru_cache(maxsize=1)
def _genders() -> dict[str, str]:
    return _enum_table(Gender, GENDER_ALIASES)


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every spelling of data/country_names.csv (ISO 3166-1 names and codes, common variants) -> alpha-2."""
    table = {}
    with resources.files("convene.base").joinpath("data/country_names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for spelling in (row["alpha2"], row["alpha3"], *row["names"].split("|")):
                table[normalise(spelling)] = row["alpha2"]
    return table


def sector_value(text: str) -> str | None:
    return _sectors().get(normalise(text))


def gender_value(text: str) -> str | None:
    return _genders().get(normalise(text))


def language_value(text: str) -> str | None:
    """'fr' for "French", "Français", "fr-CA"...; None when Convene does not speak it."""
    wanted = normalise(text)
    return next((code for code, names in LANGUAGE_ALIASES.items()
                 if wanted in names or wanted.split(" ")[0] in names), None)


def country_code(text: str) -> str | None:
    return _countries().get(normalise(text))
