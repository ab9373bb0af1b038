"""Global North/South in use: the configured basis plus configured and administrator overrides."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record
from ..base import countries as geo
from ..errors import DomainError
from ..extensions import db
from .models import ClassificationOverride


class OverrideError(DomainError):
    """A classification override that cannot be saved; the message is for the user."""


@dataclass
class ClassificationInfo:
    """What the figures were computed with, shown on every dashboard."""

    classifier: geo.Classifier
    basis_label: str
    overrides: list[tuple[str, str, str]]  # (code, "north"/"south", "configuration" | "administrator")
    warnings: list[str] = field(default_factory=list)


def _config_overrides(warnings: list[str]) -> dict[str, str]:
    """CLASSIFICATION_OVERRIDES from config; invalid entries are skipped with a warning, never a crash."""
    raw = current_app.config.get("CLASSIFICATION_OVERRIDES") or {}
    valid: dict[str, str] = {}
    if not isinstance(raw, dict):
        warnings.append("CLASSIFICATION_OVERRIDES is not a mapping of country codes; it was ignored.")
        return valid
    for code, value in raw.items():
        code_s, value_s = str(code).upper(), str(value).lower()
        if not geo.is_country(code_s) or value_s not in geo.NORTH_SOUTH:
            warnings.append(f"Configuration override {code!r}: {value!r} was ignored (use an ISO code and "
                            "\"north\" or \"south\").")
            continue
        valid[code_s] = value_s
    return valid


def classification_info() -> ClassificationInfo:
    """The basis from config plus config and administrator overrides (administrator ones win)."""
    warnings: list[str] = []
    basis = str(current_app.config.get("CLASSIFICATION_BASIS", "unctad")).lower()
    if basis not in geo.BASES:
        warnings.append(f"CLASSIFICATION_BASIS {basis!r} is not known; the current UNCTAD basis is used.")
        basis = geo.DEFAULT_BASIS
    transition = str(current_app.config.get("CLASSIFICATION_TRANSITION", geo.DEFAULT_TRANSITION)).lower()
    if transition not in geo.NORTH_SOUTH:
        warnings.append(f"CLASSIFICATION_TRANSITION {transition!r} is not \"north\" or \"south\"; "
                        "\"south\" is used.")
        transition = geo.DEFAULT_TRANSITION
    sources = {code: (value, "configuration") for code, value in _config_overrides(warnings).items()}
    for row in db.session.scalars(sa.select(ClassificationOverride)):
        sources[row.country] = (row.classification, "administrator")
    overrides = sorted((code, value, source) for code, (value, source) in sources.items())
    classifier = geo.Classifier(basis, transition, {code: value for code, value, _ in overrides})
    label = geo.BASES[basis]
    if basis == "unctad_three_way":
        label += f"; transition economies counted as Global {transition.capitalize()}"
    return ClassificationInfo(classifier, label, overrides, warnings)


def set_override(country: str, classification: str, reason: str, *, actor) -> ClassificationOverride:
    """Set (or change) one country's Global North/South regardless of the basis; audited."""
    code = (country or "").upper()
    if not geo.is_country(code):
        raise OverrideError("Unknown country code; choose a country from the list.")
    if classification not in geo.NORTH_SOUTH:
        raise OverrideError("Choose Global North or Global South.")
    if not reason.strip():
        raise OverrideError("Say why this country is classified differently; the reason is kept in the audit log.")
    row = db.session.scalar(sa.select(ClassificationOverride).where(ClassificationOverride.country == code))
    before = row.classification if row else None
    if row is None:
        row = ClassificationOverride(country=code, classification=classification)
        db.session.add(row)
    row.classification, row.reason, row.set_by_id = classification, reason.strip(), getattr(actor, "id", None)
    db.session.flush()
    record("diversity.override.set", row, actor=actor,
           changes={"country": code, "classification": [before, classification], "reason": row.reason})
    return row


def remove_override(row: ClassificationOverride, *, actor) -> None:
    record("diversity.override.delete", row, actor=actor,
           changes={"country": row.country, "classification": [row.classification, None]})
    db.session.delete(row)
    db.session.flush()
