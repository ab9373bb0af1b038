"""Guest lists as organizers have them: Excel's Windows-1252 semicolon CSV, BOMs, header and value
variants, 2,000 rows, .xlsx workbooks; and importing only the valid rows."""
import csv
import io
import re

import sqlalchemy as sa
from openpyxl import Workbook

from convene.extensions import db
from convene.invitations.models import Invitation
from convene.people.models import Person


def _upload(client, convening, content: bytes, filename="contacts.csv", **extra):
    data = {"file": (io.BytesIO(content), filename), "role": "participant", "priority": "first_choice", **extra}
    return client.post(f"/convenings/{convening.id}/guests/import", data=data, content_type="multipart/form-data")


def _confirm(client, convening, page: str, mode="all"):
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(f"/convenings/{convening.id}/guests/import/confirm", data={"payload": payload, "mode": mode})


def _person(email):
    db.session.expire_all()
    return db.session.scalar(sa.select(Person).where(Person.email == email))


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _mapping(page: str, given: str) -> str:
    """What the preview says a value in the file was read as."""
    match = re.search(rf"<tr><td>{re.escape(given)}</td><td>([^<]+)</td><td class=\"num\">\d+</td></tr>", page)
    assert match, given
    return match.group(1)


def excel_csv(rows, delimiter=";", encoding="cp1252", bom=False) -> bytes:
    """A file the way Excel writes "CSV" in a European locale: CRLF, its separator, its code page."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


EXCEL_HEADER = ["Full name", "E-mail address", "Organisation", "Country", "Sector", "Gender"]


def test_excel_windows_1252_semicolon_file_with_header_and_sector_variants(client, convening):
    content = excel_csv([EXCEL_HEADER,
                         ["François Lefèvre", "f.lefevre@example.org", "Œuvre “Solidarité”", "France", "civil society",
                          "Male"],
                         ["Zoë Ångström", "zoe@example.org", "Universität Zürich", "CHE", "Academia", "F"],
                         ["Tomás Núñez", "tomas@example.org", "Ministerio", "Bolivia (Plurinational State of)",
                          "Govt", ""],
                         ["Ama Owusu", "ama@example.org", "Think Tank Accra", "gh", "think tank", ""],
                         ["Rania Aziz", "rania@example.org", "UNDP", "Egypt", "UN", ""],
                         ["Lea Novak", "lea@example.org", "Fund", "Czech Republic", "NGO", "non-binary"]])
    response = _upload(client, convening, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Windows-1252 (Excel on Windows, Western Europe) text, semicolon-separated" in page
    assert "Œuvre “Solidarité”" in page
    for given, shown in [("civil society", "Civil society / NGO"), ("NGO", "Civil society / NGO"),
                         ("Academia", "Academia / think tank"), ("think tank", "Academia / think tank"),
                         ("UN", "Intergovernmental or international organization"), ("Govt", "Government"),
                         ("CHE", "Switzerland (CH)"), ("gh", "Ghana (GH)"), ("Czech Republic", "Czechia (CZ)"),
                         ("Bolivia (Plurinational State of)", "Bolivia (BO)"), ("Male", "Man"), ("F", "Woman")]:
        assert _mapping(page, given) == shown
    assert re.search(r"<td>E-mail address</td><td>email</td>", page)
    assert _confirm(client, convening, page).status_code == 302
    zoe = _person("zoe@example.org")
    assert (zoe.name, zoe.country, zoe.sector, zoe.gender) == ("Zoë Ångström", "CH", "academia", "woman")
    assert _person("f.lefevre@example.org").organization.name == "Œuvre “Solidarité”"


def test_utf8_bom_tab_separated_with_non_latin_names(client, convening):
    content = excel_csv([["Name", "Email", "Organization", "Country", "Sector"],
                         ["Анна Петрова", "anna@example.org", "Мемориал", "RU", "NGO"],
                         ["نور الهدى", "nour@example.org", "جامعة القاهرة", "EG", "university"],
                         ["王小明", "wang@example.org", "清华大学", "China", "academic"],
                         ["अनन्या शर्मा", "ananya@example.org", "Observer", "IND", "media"]],
                        delimiter="\t", encoding="utf-8", bom=True)
    response = _upload(client, convening, content, filename="list.txt")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "UTF-8 text with a byte-order mark, tab-separated" in page
    assert _confirm(client, convening, page).status_code == 302
    assert _person("wang@example.org").name == "王小明"
    assert _person("nour@example.org").organization.name == "جامعة القاهرة"
    assert _person("ananya@example.org").country == "IN"


def test_first_and_last_name_columns_are_joined(client, convening):
    content = excel_csv([["First name", "Surname", "Email", "Institution", "Country", "Stakeholder group"],
                         ["Amara", "Diallo", "amara@example.org", "ECOWAS", "Senegal", "IGO"]], delimiter=",")
    page = _upload(client, convening, content).get_data(as_text=True)
    assert _confirm(client, convening, page).status_code == 302
    amara = _person("amara@example.org")
    assert (amara.name, amara.sector, amara.country) == ("Amara Diallo", "intergovernmental", "SN")


def test_chosen_separator_overrides_detection(client, convening):
    content = excel_csv([EXCEL_HEADER, ["A B", "ab@example.org", "O", "KE", "media", ""]])
    response = _upload(client, convening, content, delimiter="comma")
    assert response.status_code == 422
    assert "missing column(s)" in response.get_data(as_text=True)
    response = _upload(client, convening, content, delimiter="semicolon", encoding="cp1252")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "(as you chose)" in page


def test_xlsx_first_sheet_with_header_row(client, convening):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Full Name", "E-Mail", "Organisation", "Country", "Sector", "Notes"])
    sheet.append(["Kwame Asante", "kwame@example.org", "Accra Policy Forum", "Ghana", "Think tank", "vegetarian?"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Ingeborg Tveit-Lunde", "ingrid@example.org", 2024, "NOR", "philanthropic", None])
    workbook.create_sheet("Other").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(client, convening, buffer.getvalue(), filename="Guests.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Excel workbook (.xlsx), first sheet" in page
    assert re.search(r"<td>Notes</td><td>ignored</td>", page)
    assert _confirm(client, convening, page).status_code == 302
    assert _person("ingrid@example.org").organization.name == "2024"
    assert (_person("kwame@example.org").sector, _person("kwame@example.org").country) == ("academia", "GH")


def test_broken_or_old_workbooks_are_refused_clearly(client, convening):
    response = _upload(client, convening, b"PK\x03\x04not really a zip", filename="guests.xlsx")
    assert response.status_code == 422 and "not a readable Excel workbook" in response.get_data(as_text=True)
    response = _upload(client, convening, b"\xd0\xcf\x11\xe0rest of an old file", filename="guests.xls")
    assert response.status_code == 422 and "old-style Excel .xls" in response.get_data(as_text=True)


SECTORS = ["civil society", "NGO", "Academia / think tank", "think tank", "IGO", "UN", "Government", "private sector",
           "Media", "Foundation"]
COUNTRIES = ["Kenya", "KE", "Deutschland?", "Brazil", "BRA", "Côte d'Ivoire", "United States", "UK", "India", "Viet Nam"]


def test_two_thousand_row_excel_list_imports_the_valid_rows_and_offers_the_refused_ones(client, convening):
    rows = [EXCEL_HEADER]
    for i in range(2000):
        country = COUNTRIES[i % len(COUNTRIES)]
        rows.append([f"Participant Nº{i} Müller", f"p{i}@example.org", f"Organisation {i % 40}", country,
                     SECTORS[i % len(SECTORS)], ""])
    response = _upload(client, convening, excel_csv(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # "Deutschland?" is no country: 200 rows to correct
    assert "200 row(s) need correcting" in page and "Import the 1800 valid row(s) only" in page
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post(f"/convenings/{convening.id}/guests/import/refused.csv", data={"payload": payload})
    assert refused.status_code == 200 and refused.mimetype == "text/csv"
    refused_rows = list(csv.DictReader(io.StringIO(refused.get_data(as_text=True))))
    assert len(refused_rows) == 200
    assert refused_rows[0]["line"] == "4" and "unknown country “Deutschland?”" in refused_rows[0]["reason"]
    assert _count(Invitation) == 0  # nothing written by the preview or the download
    assert _confirm(client, convening, page, mode="valid").status_code == 302
    assert _count(Invitation) == 1800
    # the refused rows, corrected in the downloaded file, import as they are
    fixed = refused.get_data(as_text=True).replace("Deutschland?", "Germany")
    page = _upload(client, convening, fixed.encode()).get_data(as_text=True)
    assert _confirm(client, convening, page).status_code == 302
    assert _count(Invitation) == 2000


def test_all_or_nothing_stays_the_default(client, convening):
    content = excel_csv([EXCEL_HEADER, ["Good", "good@example.org", "O", "KE", "NGO", ""],
                         ["Bad", "bad@example.org", "O", "Narnia", "NGO", ""]])
    page = _upload(client, convening, content).get_data(as_text=True)
    response = _confirm(client, convening, page, mode="all")
    assert response.status_code == 302
    assert _count(Invitation) == 0 and _count(Person) == 0
