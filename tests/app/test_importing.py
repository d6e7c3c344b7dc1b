"""Attendee import: the preview names every problem by row and column; apply is all or nothing."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from benchmarks.import_bench import people_csv
from eventapp.extensions import db
from eventapp.models import Attendee, Tag
from eventapp.services.events import load_event_file
from eventapp.services.importing import (
    ImportProblem,
    ImportRejected,
    apply_import,
    normalise,
    parse_handicap,
    preview_import,
)
from tests.app.factories import PEOPLE, make_event

pytestmark = pytest.mark.db

SAMPLES = Path(__file__).resolve().parents[2] / "sample_events"
HEADER = "first_name,last_name,email,company,languages,offers,seeks,handicap,host\n"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(rows) + "\n").encode(encoding)


def people() -> dict[str, Attendee]:
    db.session.expire_all()
    return {a.email: a for a in db.session.execute(db.select(Attendee)).scalars()}


def only_problem(preview) -> ImportProblem:
    assert len(preview.problems) == 1, preview.problems
    return preview.problems[0]


def test_semicolon_csv_with_bom_as_swedish_excel_writes_it(app):
    event = make_event()
    data = (
        "\ufeffFörnamn;Efternamn;E-post;Företag;Språk;Erbjuder;Söker;Hcp;Värd\n"
        "Åsa;Lindström;Asa.Lindstrom@Example.se;Lindström Bygg AB;Svenska, English;"
        "Kontorsmöbler;event venues;12,4;ja\n"
        'Örjan;Öberg;orjan@example.se;"Öberg; Söner AB";sv;office chairs, BOOKKEEPING;;+1,2;nej\n'
    ).encode()

    preview = preview_import(event, "deltagare.csv", data)

    assert preview.ok, preview.problems
    assert (preview.new, preview.updated, preview.unchanged) == (2, 0, 0)
    assert preview.encoding == "UTF-8"
    summary = apply_import(event, preview)
    assert (summary.new, summary.updated) == (2, 0)
    asa, orjan = people()["asa.lindstrom@example.se"], people()["orjan@example.se"]
    assert (asa.first_name, asa.last_name, asa.company) == ("Åsa", "Lindström", "Lindström Bygg AB")
    assert asa.languages == ["sv", "en"] and asa.handicap == 12.4 and asa.is_host
    assert [t.key for t in asa.offers] == ["office-furniture"]
    assert [t.key for t in asa.seeks] == ["event-venues"]
    assert orjan.company == "Öberg; Söner AB"
    assert [t.key for t in orjan.offers] == ["accounting", "office-furniture"]
    assert orjan.handicap == -1.2  # a plus handicap
    assert not orjan.is_host


def test_hebrew_headers_and_names(app):
    event = make_event()
    data = (
        "שם פרטי,שם משפחה,אימייל,חברה,תפקיד,טלפון,שפות,מציע,מחפש,מטרות\n"
        'נועה,לוי,noa@example.co.il,לוי משפטים,מנכ"לית,+972 50-123-4567,"עברית; English",'
        "ריהוט משרדי,redovisning,להכיר ספקים\n"
    ).encode()

    preview = preview_import(event, "משתתפים.csv", data)
    apply_import(event, preview)

    noa = people()["noa@example.co.il"]
    assert (noa.first_name, noa.last_name, noa.title) == ("נועה", "לוי", 'מנכ"לית')
    assert noa.phone == "+972 50-123-4567" and noa.goals == "להכיר ספקים"
    assert noa.languages == ["he", "en"]
    assert [t.key for t in noa.offers] == ["office-furniture"]
    assert [t.key for t in noa.seeks] == ["accounting"]


def test_xlsx_with_numbers_and_booleans_in_cells(app):
    event = make_event()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["First name", "Last name", "E-mail", "Phone", "Handicap", "Host", "Offers"])
    sheet.append(["Björn", "Åkesson", "bjorn@example.se", 46701234567, 8.5, True, "accounting"])
    sheet.append([None, None, None, None, None, None, None])  # blank rows are skipped
    sheet.append(["Märta", "Sjögren", "marta@example.se", None, 20, False, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = preview_import(event, "people.xlsx", buffer.getvalue())

    assert preview.ok, preview.problems
    assert [row.row for row in preview.rows] == [2, 4]
    apply_import(event, preview)
    bjorn, marta = people()["bjorn@example.se"], people()["marta@example.se"]
    assert (bjorn.phone, bjorn.handicap, bjorn.is_host) == ("46701234567", 8.5, True)
    assert (marta.handicap, marta.is_host, marta.offers) == (20.0, False, [])


@pytest.mark.parametrize(
    "row, column, message",
    [
        ("Åsa,L,,,,,,,", "email", "missing email address"),
        ("Åsa,L,asa-at-example.se,,,,,,", "email", "not an email address: 'asa-at-example.se'"),
        (",L,new@example.se,,,,,,", "first_name", "missing first name"),
        ("Åsa,L,asa@example.se,,,,,tolv,", "handicap", "not a number: 'tolv'"),
        ("Åsa,L,asa@example.se,,,,,60,", "handicap", "outside the handicap range -10 to 54"),
        ("Åsa,L,asa@example.se,,,,,+11,", "handicap", "outside the handicap range"),
        ("Åsa,L,asa@example.se,,klingon,,,,", "languages", "unknown language 'klingon'"),
        ("Åsa,L,asa@example.se,,,,,,kanske", "host", "'kanske' is neither yes nor no"),
        ("Åsa,L,asa@example.se," + "x" * 201 + ",,,,,", "company", "too long (201 characters"),
    ],
)
def test_each_problem_is_named_by_row_and_column(app, row, column, message):
    event = make_event()
    good = "Björn,B,bjorn@example.se,,,,,,"

    preview = preview_import(event, "people.csv", csv_bytes(good, row))

    problem = only_problem(preview)
    assert (problem.row, problem.column) == (3, column)
    assert message in problem.message
    assert str(problem).startswith(f"Row 3, {column}: ")
    assert preview.rows == [] or [r.email for r in preview.rows] == ["bjorn@example.se"]


def test_unknown_tag_suggests_the_nearest_catalog_tags(app):
    event = make_event()

    preview = preview_import(
        event, "people.csv", csv_bytes("Åsa,L,asa@example.se,,,ofice furnitur,evnt venue,,")
    )

    offers, seeks = preview.problems
    assert (offers.row, offers.column, offers.suggestions) == (2, "offers", ("office-furniture",))
    assert (seeks.column, seeks.suggestions) == ("seeks", ("event-venues",))
    assert str(offers) == (
        "Row 2, offers: unknown tag 'ofice furnitur' (did you mean office-furniture?)"
    )


def test_duplicate_email_in_one_file_names_both_rows(app):
    event = make_event()
    rows = [
        "Åsa,L,asa@example.se,,,,,,",
        "Björn,B,bjorn@example.se,,,,,,",
        "Åsa,Lind,ASA@example.se ,,,,,,",
    ]

    preview = preview_import(event, "people.csv", csv_bytes(*rows))

    problem = only_problem(preview)
    assert (problem.row, problem.column) == (4, "email")
    assert "asa@example.se is already on row 2" in problem.message


def test_create_tags_adds_unknown_tags_on_apply(app):
    event = make_event()
    data = csv_bytes("Åsa,L,asa@example.se,,,Solceller; office chairs,Drönare,,")

    preview = preview_import(event, "people.csv", data, create_tags=True)

    assert preview.ok and preview.new_tags == {"solceller": "Solceller", "dronare": "Drönare"}
    assert db.session.execute(db.select(Tag).filter_by(key="solceller")).first() is None
    summary = apply_import(event, preview)
    assert summary.tags_created == 2
    asa = people()["asa@example.se"]
    assert [t.key for t in asa.offers] == ["office-furniture", "solceller"]
    assert asa.seeks[0].labels == {"sv": "Drönare"}  # labelled in the event's first language


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("people.csv", b"", "The file is empty."),
        ("people.csv", b"  \r\n\r\n ", "The file is empty."),
        ("people.csv", bytes(range(256)) * 8, "not a spreadsheet"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "not a spreadsheet"),
        ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel (.xls)"),
        ("people.xlsx", b"PK\x03\x04" + b"garbage" * 50, "not a valid Excel (.xlsx)"),
        ("people.xlsx", b"first_name,email\nA,a@example.se\n", "not a valid Excel (.xlsx)"),
        ("people.csv", "förnamn,e-post\n".encode("utf-16-be"), "not a spreadsheet"),
        ("people.csv", b"first_name,email\n", "header row but no people"),
        ("people.csv", b"first_name,company\nAsa,Bygg\n", "no email column"),
        ("people.csv", b"Asa,Lindstrom,asa@example.se\n", "first row should name the columns"),
        ("people.csv", b'first_name,email\n"Asa,a@example.se\n', "not valid CSV"),
        ("people.csv", "שם פרטי;אימייל\nנועה;noa@example.co.il\n".encode("cp1255"), "not UTF-8"),
    ],
)
def test_unreadable_files_give_one_clear_problem(app, filename, data, message):
    event = make_event()

    preview = preview_import(event, filename, data)

    assert not preview.ok and preview.rows == []
    assert message in str(only_problem(preview))
    with pytest.raises(ImportRejected):
        apply_import(event, preview)


def test_windows_1252_from_swedish_excel_is_decoded(app):
    event = make_event()
    data = csv_bytes("Åsa,Lindström,asa@example.se,Ström & Söner,,,,,", encoding="cp1252")

    preview = preview_import(event, "people.csv", data)

    assert preview.ok and preview.encoding == "Windows-1252"
    assert preview.rows[0].values["last_name"] == "Lindström"
    assert preview.rows[0].values["company"] == "Ström & Söner"


def test_utf16_unicode_text_from_excel_is_read(app):
    event = make_event()
    data = "\ufeffFörnamn\tE-post\nÅsa\tasa@example.se\n".encode("utf-16-le")

    preview = preview_import(event, "people.txt", data)

    assert preview.ok and preview.rows[0].values == {"first_name": "Åsa"}


def test_preview_writes_nothing(app):
    event = make_event(people=PEOPLE)
    before = people()
    data = csv_bytes(
        "Åsa,Ny,asa@example.se,Nytt AB,he,accounting,brand new tag,3,yes",
        "Ny,Person,new@example.se,,,,,,",
    )

    preview = preview_import(event, "people.csv", data, create_tags=True)

    assert (preview.new, preview.updated) == (1, 1)
    assert not db.session.new and not db.session.dirty
    db.session.rollback()
    after = people()
    assert set(after) == set(before)
    assert after["asa@example.se"].company == "Lindström Bygg"
    assert db.session.execute(db.select(db.func.count(Tag.id))).scalar() == 3


def test_apply_refuses_a_preview_with_problems(app):
    event = make_event()
    preview = preview_import(
        event, "people.csv", csv_bytes("Åsa,L,asa@example.se,,,,,,", "Björn,B,,,,,,,")
    )

    with pytest.raises(ImportRejected, match="1 problem"):
        apply_import(event, preview)
    assert people() == {}


def test_a_failed_apply_writes_nothing(app):
    event = make_event()
    data = csv_bytes(
        "Åsa,L,asa@example.se,,,,,,",
        "Björn,B,bjorn@example.se,,,,,,",
        "Cilla,C,cilla@example.se,,,accounting,,,",
    )
    preview = preview_import(event, "people.csv", data)
    assert preview.ok
    # The catalog changes between preview and confirm: the third row can no longer be applied.
    db.session.delete(db.session.execute(db.select(Tag).filter_by(key="accounting")).scalar_one())
    db.session.commit()

    with pytest.raises(ImportRejected, match="Row 4: tag 'accounting' was removed"):
        apply_import(event, preview)
    assert people() == {}


def test_reimport_updates_by_email_and_keeps_what_is_not_in_the_file(app):
    event = make_event(people=PEOPLE)
    asa = people()["asa@example.se"]
    asa.goals, asa.handicap, asa.phone = "Meet builders", 14.0, "+46 70 111 22 33"
    db.session.commit()
    token = asa.checkin_token
    data = (
        "email,company,offers,goals\n"
        "ASA@EXAMPLE.SE,Lindström Bygg & Co,accounting,\n"
        "avi@example.co.il,,,\n"
    ).encode()

    preview = preview_import(event, "update.csv", data)
    assert (preview.new, preview.updated, preview.unchanged) == (0, 1, 1)
    assert [(r.email, r.change, r.changed) for r in preview.rows] == [
        ("asa@example.se", "updated", ("company", "offers")),
        ("avi@example.co.il", "unchanged", ()),
    ]
    apply_import(event, preview)

    stored = people()
    assert len(stored) == len(PEOPLE)
    asa = stored["asa@example.se"]
    assert asa.company == "Lindström Bygg & Co"
    assert [t.key for t in asa.offers] == ["accounting"]
    # Empty cells and missing columns keep the stored values.
    assert (asa.first_name, asa.goals, asa.handicap) == ("Åsa", "Meet builders", 14.0)
    assert asa.phone == "+46 70 111 22 33" and asa.languages == ["sv", "en"]
    assert [t.key for t in asa.seeks] == ["event-venues"]
    assert asa.checkin_token == token

    again = preview_import(event, "update.csv", data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert apply_import(event, again).updated == 0


def test_normalise_ignores_case_accents_and_punctuation():
    assert normalise("  KontorsMÖBLER ") == normalise("kontorsmobler") == "kontorsmobler"
    assert normalise("Kontors-Möbler") == normalise("kontors  möbler") == "kontors mobler"
    assert normalise("IT-säkerhet") == normalise("it sakerhet")
    assert normalise("שָׁלוֹם") == "שלום"  # niqqud dropped


@pytest.mark.parametrize(
    "text, value", [("12,4", 12.4), (" 0 ", 0.0), ("+2", -2.0), ("54", 54.0), ("-10", -10.0)]
)
def test_handicaps_as_people_type_them(text, value):
    assert parse_handicap(text) == value


@pytest.mark.parametrize("text", ["54.1", "-10.5", "nan", "inf", "12,4,1", ""])
def test_handicaps_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_handicap(text)


def test_two_columns_meaning_the_same_thing(app):
    event = make_event()
    data = b"first_name,email,E-post\nAsa,asa@example.se,asa@example.se\n"

    problem = only_problem(preview_import(event, "people.csv", data))

    assert (problem.row, problem.column) == (1, "email")
    assert "'email' and 'E-post'" in problem.message


def test_unknown_columns_are_listed_not_refused(app):
    event = make_event()
    data = b"email,first_name,Shoe size\nasa@example.se,Asa,38\n"

    preview = preview_import(event, "people.csv", data)

    assert preview.ok and preview.ignored_columns == ["Shoe size"]


def test_a_file_of_5000_people_previews_cleanly(app):
    event = load_event_file(SAMPLES / "nordic-golf.json")
    tags = [{"key": t.key, "labels": t.labels, "synonyms": t.synonyms} for t in event.tags]

    preview = preview_import(event, "people.csv", people_csv(5000, tags))

    assert preview.ok, preview.problems[:3]
    assert preview.new == 5000 and preview.rows[-1].row == 5001
    assert all(row.values["offers"] and row.values["seeks"] for row in preview.rows)


def test_too_many_rows_is_one_problem(app):
    event = make_event()
    data = b"email,first_name\n" + b"".join(b"p%d@example.se,P\n" % i for i in range(20_001))

    preview = preview_import(event, "people.csv", data)

    assert "more than 20,000 rows" in str(only_problem(preview))


def test_a_sep_line_sets_the_delimiter_and_is_not_counted_as_a_row(app):
    event = make_event()
    data = b"sep=;\r\nemail;first_name\r\nasa@example.se;\r\n"

    problem = only_problem(preview_import(event, "people.csv", data))

    assert (problem.row, problem.column) == (2, "first_name")
