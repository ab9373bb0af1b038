"""Compiling the catalogs (.po → .mo) so a fresh clone serves every language without a build step.

`make translations` extracts, updates and compiles; the app also compiles, at start, any
catalog whose .mo is missing or older than its .po (the .mo files are not in git).
"""
from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def stale_catalogs(root: Path) -> list[Path]:
    """The .po files under root whose compiled .mo is missing or older."""
    out = []
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            out.append(po)
    return out


def compile_catalogs(root: Path) -> list[Path]:
    """Compile the stale catalogs; returns the .mo files written (none when all are current)."""
    written = []
    for po in stale_catalogs(root):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        try:
            with mo.open("wb") as target:
                write_mo(target, catalog)
        except OSError as error:  # a read-only install: serve English rather than fail to start
            log.warning("could not compile %s (%s): that language falls back to English", po, error)
            continue
        written.append(mo)
    return written
