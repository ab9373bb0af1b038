"""Reading an uploaded guest list into a table: CSV text in the encodings and separators that
spreadsheets really save, or the first sheet of an .xlsx workbook.

Nothing here knows about people or columns' meanings; it returns the header row and the other
rows with the line (or spreadsheet row) number each came from, and says how it read the file so
the preview can show it and the organizer can read it differently.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from ..errors import DomainError

#: Encodings the organizer may choose; "auto" tries them in this order (see decode).
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (Excel on Windows, Western Europe)",
             "utf-16": "UTF-16 (Excel “Unicode text”)"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Form values for the delimiters (a tab cannot travel through a select well).
DELIMITER_CHOICES = {"comma": ",", "semicolon": ";", "tab": "\t"}
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


class GuestFileError(DomainError):
    """The file as a whole cannot be read; the message is shown to the organizer as it is."""


@dataclass
class Table:
    header: list[str]
    #: (line or spreadsheet row number, cell values) for each non-empty row after the header.
    records: list[tuple[int, list[str]]] = field(default_factory=list)
    kind: str = "csv"  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    #: Whether encoding and delimiter were detected (True) or chosen by the organizer (False).
    detected: bool = True
    bom: bool = False

    def describe(self) -> str:
        """How the file was read, in the organizer's words."""
        if self.kind == "xlsx":
            return "Excel workbook (.xlsx), first sheet, first row as the header"
        bom = " with a byte-order mark" if self.bom else ""
        return f"{ENCODINGS[self.encoding]} text{bom}, {DELIMITERS[self.delimiter]}-separated"


def read_table(raw: bytes, filename: str = "", *, encoding: str = "auto", delimiter: str = "auto") -> Table:
    """The header and rows of an uploaded file; GuestFileError when it is unusable as a whole."""
    if not raw.strip():
        raise GuestFileError("The file is empty.")
    if raw.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise GuestFileError("This is an old-style Excel .xls file. In Excel choose “Save as… Excel Workbook "
                             "(.xlsx)” or “CSV UTF-8” and upload that file.")
    if raw.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return read_xlsx(raw)
    text, used, bom = decode(raw, encoding)
    return read_csv(text, delimiter, encoding=used, bom=bom, detected=encoding == "auto" and delimiter == "auto")


def decode(raw: bytes, encoding: str = "auto") -> tuple[str, str, bool]:
    """(text, encoding used, had a byte-order mark). UTF-8 first: Windows-1252 text almost never
    happens to be valid UTF-8, while the reverse is common, so trying UTF-8 first is safe."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and encoding in ("auto", "utf-16"):
        return _decode_as(raw, "utf-16"), "utf-16", True
    bom = raw.startswith(b"\xef\xbb\xbf")
    if encoding == "auto":
        try:
            return raw.decode("utf-8-sig"), "utf-8", bom
        except UnicodeDecodeError:
            encoding = "cp1252"
    if encoding not in ENCODINGS:
        raise GuestFileError("Choose one of the listed encodings.")
    return _decode_as(raw, "utf-8-sig" if encoding == "utf-8" else encoding), encoding, bom


def _decode_as(raw: bytes, codec: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as error:
        name = ENCODINGS.get(codec.replace("-sig", ""), codec)
        raise GuestFileError(
            f"The file cannot be read as {name}: byte 0x{raw[error.start]:02X} at position {error.start} is not "
            "valid there. Choose another encoding, or in your spreadsheet choose “Save as… CSV UTF-8” and upload "
            "the file again.") from error


def sniff_delimiter(text: str) -> str:
    """The separator of the header line: whichever of comma, semicolon and tab splits it into the
    most columns outside quotes (comma when none does)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


def read_csv(text: str, delimiter: str = "auto", *, encoding: str = "utf-8", bom: bool = False,
             detected: bool = True) -> Table:
    """Split decoded CSV text into a Table; GuestFileError on malformed quoting or too many rows."""
    if not text.strip():
        raise GuestFileError("The file is empty.")
    if delimiter == "auto":
        delimiter = sniff_delimiter(text)
    delimiter = DELIMITER_CHOICES.get(delimiter, delimiter)
    if delimiter not in DELIMITERS:
        raise GuestFileError("Choose comma, semicolon or tab as the separator.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table = Table(header=[], kind="csv", encoding=encoding, delimiter=delimiter, detected=detected, bom=bom)
    try:
        table.header = next(reader)
        for values in reader:
            _append(table, reader.line_num, values)
    except csv.Error as error:
        raise GuestFileError(f"Line {reader.line_num}: the CSV cannot be read ({error}).") from error
    return table


def read_xlsx(raw: bytes) -> Table:
    """The first sheet of a workbook, its first row as the header; cells turned into text."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise GuestFileError("The file is not a readable Excel workbook (.xlsx). Open it in your spreadsheet and "
                             "save it again as “Excel Workbook (.xlsx)” or “CSV UTF-8”.") from error
    try:
        sheet = workbook.worksheets[0]
        table = Table(header=[], kind="xlsx")
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [cell_text(cell) for cell in cells]
            if not table.header:
                if any(values):
                    table.header = values
                continue
            _append(table, number, values)
    finally:
        workbook.close()
    if not table.header:
        raise GuestFileError("The first sheet of the workbook is empty.")
    return table


def cell_text(value) -> str:
    """A spreadsheet cell as the text the organizer sees (whole numbers without “.0”)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _append(table: Table, number: int, values: list[str]) -> None:
    if not any(value.strip() for value in values):
        return
    if len(table.records) >= MAX_ROWS:
        raise GuestFileError(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
    table.records.append((number, values))
