"""Attendee import from CSV and XLSX: a preview that lists every problem, then one transaction.

Rules a user can rely on:
- People are matched by email, case-insensitively; a re-import updates them, never duplicates them.
- An empty cell keeps what is stored: a re-import never blanks a value or removes anyone.
  A filled cell replaces the stored value (for offers, seeks and languages: the whole list).
- CSV is read as UTF-8 (with or without BOM) or UTF-16 with BOM. Files Excel on Windows saves
  as "CSV (semicolon/comma delimited)" are Windows-1252; that is decoded too, as long as the text
  looks Western (Swedish å/ä/ö). Anything else (e.g. Hebrew in Windows-1255) is rejected with a
  request to save as "CSV UTF-8", because guessing would silently garble names.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import Attendee, Event, Tag, attendee_offers, attendee_seeks
from solver import scoring
from solver.event import ATTENDEE_FIELDS, HANDICAP_RANGE, LANGUAGES, parse_email
from solver.scoring import TagCatalog

MAX_ROWS = 20_000

# Column -> the headers people already use for it, in English, Swedish and Hebrew.
_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name", "first name", "firstname", "given name", "förnamn", "שם פרטי"),
    "last_name": (
        "last_name",
        "last name",
        "lastname",
        "surname",
        "family name",
        "efternamn",
        "שם משפחה",
    ),
    "email": (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "e-post",
        "epost",
        "e-postadress",
        "אימייל",
        "מייל",
        'דוא"ל',
        "דואר אלקטרוני",
    ),
    "company": ("company", "organisation", "organization", "företag", "bolag", "חברה"),
    "title": ("title", "job title", "role", "titel", "befattning", "roll", "תפקיד"),
    "phone": ("phone", "telephone", "mobile", "telefon", "mobil", "טלפון", "נייד"),
    "languages": ("languages", "language", "språk", "שפות", "שפה"),
    "offers": ("offers", "offer", "erbjuder", "מציע", "מציעה", "מציע/ה"),
    "seeks": ("seeks", "seek", "looking for", "söker", "מחפש", "מחפשת", "מחפש/ת"),
    "goals": ("goals", "goal", "mål", "מטרות", "מטרה"),
    "handicap": ("handicap", "hcp", "golf handicap", "handicap index", "hcp index", "הנדיקפ"),
    "host": ("host", "table host", "värd", "bordsvärd", "מארח", "מארחת", "מארח/ת"),
    "consent": ("consent", "samtycke", "הסכמה"),
}
# The columns are the attendee fields of an event file, in their order.
HEADERS = {name: _ALIASES[name] for name in ATTENDEE_FIELDS}

# Text columns -> the attribute they set; their length limit comes from the model.
TEXT_FIELDS = ("first_name", "last_name", "company", "title", "phone", "goals")
YES = {"yes", "y", "true", "1", "x", "ja", "j", "כן"}
NO = {"no", "n", "false", "0", "nej", "לא"}
# What export writes for text starting like a formula: one more leading quote than it had.
QUOTED_FORMULA = re.compile(r"'+[=@+-]")
SEP_LINE = re.compile(r"\s*sep=([;,\t|])\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=8192)  # a file spells the same tags and languages again and again
def normalise(text: str) -> str:
    """Fold text for matching: case, accents, punctuation and spacing do not matter.

    "Kontorsmöbler", "kontors-mobler " and "KONTORSMÖBLER" all give "kontorsmobler";
    Hebrew niqqud is dropped like any other combining mark.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def parse_handicap(value: str) -> float:
    """A golf handicap from what people type: "12,4" (Swedish comma), "12.4", "+2" (a plus
    handicap, i.e. -2). Raises ValueError with a message for the user."""
    text = value.strip().replace(",", ".").replace(" ", "")
    # In golf, "+2" is a handicap better than scratch: stored as -2.
    plus = text.startswith("+")
    try:
        number = float(text[1:] if plus else text)
    except ValueError:
        raise ValueError(_("not a number: %(value)s", value=repr(value))) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(_("not a number: %(value)s", value=repr(value)))
    number = -number if plus else number
    low, high = HANDICAP_RANGE
    if not low <= number <= high:
        raise ValueError(
            _(
                "%(value)s is outside the handicap range %(low)s to %(high)s",
                value=value,
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    return number


_LANGUAGE_NAMES = {normalise(name): code for code, names in LANGUAGES.items() for name in names}


def parse_language(value: str) -> str | None:
    """A language code from a code ("sv", "en-GB") or a name ("Svenska", "עברית"), else None."""
    text = normalise(value)
    code = text.split(" ")[0] if text else ""
    if code in LANGUAGES:
        return code
    return _LANGUAGE_NAMES.get(text)


@dataclass(frozen=True)
class ImportProblem:
    """Something in the file to fix; row is the spreadsheet row the user sees (header = 1).

    Row 0 means the file as a whole (unreadable, no header, ...).
    """

    row: int
    column: str
    message: str
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = self.message
        if self.suggestions:
            text = _(
                "%(text)s (did you mean %(tags)s?)", text=text, tags=", ".join(self.suggestions)
            )
        if self.row == 0:
            return text
        if self.column:
            return _(
                "Row %(row)d, %(column)s: %(text)s", row=self.row, column=self.column, text=text
            )
        return _("Row %(row)d: %(text)s", row=self.row, text=text)


@dataclass
class ImportRow:
    """One person in the file: their email and the attributes their filled-in cells set."""

    row: int
    email: str
    values: dict[str, object]
    change: str = ""  # "new", "updated" or "unchanged", against what is stored
    changed: tuple[str, ...] = ()  # the columns an update changes


@dataclass
class ImportPreview:
    """What an import would do. Plain data (no database objects): safe to keep and show."""

    event_id: int
    filename: str
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # Tags to add to the catalog on apply (key -> label as written), with create_tags only.
    new_tags: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportSummary:
    """What apply_import wrote: people added, people changed, rows that changed nothing."""

    new: int
    updated: int
    unchanged: int
    tags_created: int


class ImportRejected(Exception):
    """apply_import refused: the preview has problems, or the event changed since the preview."""


class _Unreadable(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def preview_import(
    event: Event, filename: str, data: bytes, *, create_tags: bool = False
) -> ImportPreview:
    """Read a CSV or XLSX file of attendees and say what importing it would do.

    Writes nothing. Every problem is listed with its row and column; a file that cannot be read
    at all gives a single problem on row 0. With create_tags, offers and seeks that match no tag
    become new tags on apply instead of problems.
    """
    preview = ImportPreview(event_id=event.id, filename=filename)
    try:
        header, records = _read_table(filename, data, preview)
        columns = _columns(header, preview)
        if columns is None:
            return preview
        stored = _stored(event)
        _parse_rows(event, columns, records, preview, create_tags, stored)
    except _Unreadable as unreadable:
        preview.rows.clear()
        preview.problems[:] = [ImportProblem(0, "", str(unreadable))]
        return preview
    _count_changes(stored, preview)
    return preview


def apply_import(event: Event, preview: ImportPreview) -> ImportSummary:
    """Write a problem-free preview in one transaction: new people added, matched ones updated.

    Raises ImportRejected (and writes nothing) if the preview has problems or belongs to
    another event, or if the event's tags or people changed in a way that conflicts with it.
    """
    if preview.problems:
        raise ImportRejected(f"{len(preview.problems)} problem(s) to fix first; nothing imported.")
    if preview.event_id != event.id:
        raise ImportRejected("This preview was made for another event.")
    try:
        summary = _apply(event, preview)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportRejected(
            "The event's attendees changed while you were importing: preview the file again."
        ) from None
    except BaseException:
        db.session.rollback()
        raise
    return summary


def _apply(event: Event, preview: ImportPreview) -> ImportSummary:
    tags = {
        tag.key: tag
        for tag in db.session.execute(db.select(Tag).filter_by(event_id=event.id)).scalars()
    }
    created_tags = 0
    language = (event.languages or ["en"])[0]
    for key, label in preview.new_tags.items():
        if key not in tags:
            tags[key] = Tag(event_id=event.id, key=key, labels={language: label}, synonyms=[])
            db.session.add(tags[key])
            created_tags += 1
    stored = _stored(event)
    changed: dict[str, ImportRow] = {}
    new = unchanged = 0
    for row in preview.rows:
        if row.email not in stored:
            attendee = Attendee(event_id=event.id, email=row.email)
            _assign(attendee, row, tags)
            db.session.add(attendee)
            new += 1
        elif _differs(stored[row.email], row.values):
            changed[row.email] = row
        else:
            unchanged += 1
    if changed:
        query = (
            db.select(Attendee)
            .where(Attendee.event_id == event.id, func.lower(Attendee.email).in_(changed))
            .options(selectinload(Attendee.offers), selectinload(Attendee.seeks))
        )
        for attendee in db.session.execute(query).scalars():
            _assign(attendee, changed[attendee.email.lower()], tags)
    return ImportSummary(
        new=new, updated=len(changed), unchanged=unchanged, tags_created=created_tags
    )


def _assign(attendee: Attendee, row: ImportRow, tags: dict[str, Tag]) -> None:
    for name, value in row.values.items():
        if name in ("offers", "seeks"):
            missing = [key for key in value if key not in tags]
            if missing:
                raise ImportRejected(
                    f"Row {row.row}: tag {missing[0]!r} was removed from the catalog since"
                    " the preview: preview the file again."
                )
            value = [tags[key] for key in value]
        setattr(attendee, name, value)


# The attributes a row can set (besides offers and seeks), compared to tell updates apart.
COMPARED = (
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "goals",
    "languages",
    "handicap",
    "is_host",
    "consent_to_share",
)


def _stored(event: Event) -> dict[str, dict[str, object]]:
    """Email (lower case) -> the values an import can change, as plain data.

    Three flat queries instead of ORM objects: for thousands of people, building objects
    (and parsing their timestamps) costs several times more than the comparison needs.
    """
    columns = [getattr(Attendee, name) for name in COMPARED]
    people: dict[str, dict[str, object]] = {}
    by_id: dict[int, dict[str, object]] = {}
    query = db.select(Attendee.id, Attendee.email, *columns).where(Attendee.event_id == event.id)
    for attendee_id, email, *values in db.session.execute(query):
        person = dict(zip(COMPARED, values, strict=True), offers=[], seeks=[])
        people[email.lower()] = by_id[attendee_id] = person
    for name, table in (("offers", attendee_offers), ("seeks", attendee_seeks)):
        query = (
            db.select(table.c.attendee_id, Tag.key)
            .join(Tag, Tag.id == table.c.tag_id)
            .where(Tag.event_id == event.id)
        )
        for attendee_id, key in db.session.execute(query):
            by_id[attendee_id][name].append(key)
    return people


def _differs(stored: dict[str, object], values: dict[str, object]) -> tuple[str, ...]:
    """The columns whose value in the file differs from the stored one."""
    return tuple(
        name
        for name, value in values.items()
        if (
            sorted(stored[name]) != sorted(value)
            if name in ("offers", "seeks")
            else stored[name] != value
        )
    )


def _count_changes(stored: dict[str, dict[str, object]], preview: ImportPreview) -> None:
    for row in preview.rows:
        if row.email not in stored:
            row.change = "new"
            preview.new += 1
            continue
        row.changed = _differs(stored[row.email], row.values)
        row.change = "updated" if row.changed else "unchanged"
        preview.updated += bool(row.changed)
        preview.unchanged += not row.changed


# Reading the file -----------------------------------------------------------------------------

Records = Iterator[tuple[int, list[str]]]


def _read_table(
    filename: str, data: bytes, preview: ImportPreview
) -> tuple[tuple[int, list[str]], Records]:
    """The header row (number, cells) and an iterator over the later non-empty rows."""
    if not data.strip():
        raise _Unreadable(_("The file is empty."))
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        preview.encoding = "XLSX"
        records = _xlsx_records(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise _Unreadable(
            _("This is an old Excel (.xls) file: save it as .xlsx or as CSV UTF-8 and try again.")
        )
    elif suffix in (".xlsx", ".xlsm"):
        raise _Unreadable(_("This file is not a valid Excel (.xlsx) workbook."))
    else:
        text, preview.encoding = _decode(data)
        records = _csv_records(text)
    rows = _non_empty(records)
    header = next(rows, None)
    if header is None:
        raise _Unreadable(_("The file has no rows."))
    return header, rows


def _non_empty(records: Iterable[list[str]]) -> Records:
    for number, cells in enumerate(records, start=1):
        if number > MAX_ROWS + 1:
            raise _Unreadable(
                _("The file has more than %(rows)s rows: split it up.", rows=f"{MAX_ROWS:,}")
            )
        cells = [cell.strip() for cell in cells]
        if any(cells):
            yield number, cells


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _Unreadable(_("This file is not a spreadsheet (CSV or XLSX).")) from None
    if b"\x00" in data[:8192]:
        raise _Unreadable(_("This file is not a spreadsheet (CSV or XLSX)."))
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        text, encoding = _decode_windows(data), "Windows-1252"
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise _Unreadable(_("This file is not a spreadsheet (CSV or XLSX)."))
    return text, encoding


def _decode_windows(data: bytes) -> str:
    not_utf8 = _(
        "The file is not UTF-8 text. In Excel, use Save As > 'CSV UTF-8 (comma delimited)'"
        " and import that file."
    )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise _Unreadable(not_utf8) from None
    # Western text has at most a couple of accented letters in a row ("Åsa", "Bäck");
    # long runs mean another code page (Hebrew, Cyrillic) or binary data.
    if re.search(r"[^\x00-\x7f]{3,}", text):
        raise _Unreadable(not_utf8)
    return text


def _csv_records(text: str) -> Iterator[list[str]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if (sep := SEP_LINE.match(first_line)) is not None:
        # "sep=;" tells Excel the delimiter; Excel hides that line, so rows are numbered without it.
        delimiter = sep[1]
        text = text.split(first_line, 1)[1].lstrip("\r\n")
    else:
        # Excel writes ';' where the decimal separator is a comma (Sweden); headers rarely hold
        # either.
        delimiter = max((";", ",", "\t"), key=lambda d: (first_line.count(d), d == ","))
    # strict: a quote left open must be an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            message = _(
                "A cell near line %(line)d is longer than %(limit)d characters.",
                line=reader.line_num,
                limit=csv.field_size_limit(),
            )
        else:
            message = _(
                "The file is not valid CSV near line %(line)d: %(error)s.",
                line=reader.line_num,
                error=error,
            )
        raise _Unreadable(message) from None


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    # openpyxl raises many kinds of errors on damaged workbooks, and warns about odd styles;
    # for the user they all mean the same thing.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = [
                    [_xlsx_cell(value) for value in row]
                    for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
                ]
            finally:
                workbook.close()
    except Exception:
        raise _Unreadable(_("This file is not a valid Excel (.xlsx) workbook.")) from None
    return iter(rows)


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Understanding the rows -----------------------------------------------------------------------

_HEADER_NAMES = {normalise(alias): name for name, aliases in HEADERS.items() for alias in aliases}


def _columns(header: tuple[int, list[str]], preview: ImportPreview) -> dict[str, int] | None:
    """Field name -> column index, or None (with a problem recorded) if unusable."""
    number, cells = header
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _HEADER_NAMES.get(normalise(cell))
        if name is None:
            if cell:
                preview.ignored_columns.append(cell)
        elif name in columns:
            preview.problems.append(
                ImportProblem(
                    number,
                    name,
                    _(
                        "two columns mean %(name)s: %(first)s and %(second)s; keep one",
                        name=name,
                        first=repr(cells[columns[name]]),
                        second=repr(cell),
                    ),
                )
            )
        else:
            columns[name] = index
    if not columns:
        shown = ", ".join(repr(c) for c in cells[:5] if c)
        preview.problems.append(
            ImportProblem(
                0,
                "",
                _(
                    "The first row should name the columns (first_name, last_name, email, ...);"
                    " it has %(cells)s.",
                    cells=shown,
                ),
            )
        )
        return None
    if "email" not in columns:
        preview.problems.append(
            ImportProblem(
                number,
                "",
                _(
                    "no email column: people are matched by email, so one column must be"
                    " called email (or e-mail, E-post, אימייל)."
                ),
            )
        )
        return None
    return None if preview.problems else columns


def _catalog(event: Event) -> TagCatalog:
    """The solver's tag matching (key, label in any language, synonym), over the stored tags."""
    tags = db.session.execute(db.select(Tag).filter_by(event_id=event.id).order_by(Tag.key))
    return TagCatalog(scoring.Tag(t.key, dict(t.labels), tuple(t.synonyms)) for t in tags.scalars())


class _RowReader:
    """Turns one row's cells into attribute values, collecting its problems."""

    def __init__(
        self, columns: dict[str, int], tags: TagCatalog, create_tags: bool, preview: ImportPreview
    ) -> None:
        self.columns = columns
        self.tags = tags
        self.create_tags = create_tags
        self.preview = preview
        self.limits = {name: Attendee.__table__.c[name].type.length for name in TEXT_FIELDS}
        # The row being read: set by read(), used by cell() and problem().
        self.number = 0
        self.cells: list[str] = []
        self.problems: list[ImportProblem] = []

    def read(self, number: int, cells: list[str]) -> tuple[dict[str, object], list[ImportProblem]]:
        self.number, self.cells, self.problems = number, cells, []
        values: dict[str, object] = {}
        for name in TEXT_FIELDS:
            if text := self.cell(name):
                limit = self.limits[name]  # None: unlimited text (goals)
                if limit is not None and len(text) > limit:
                    self.problem(
                        name,
                        _(
                            "too long (%(length)d characters, at most %(limit)d)",
                            length=len(text),
                            limit=limit,
                        ),
                    )
                values[name] = text
        if text := self.cell("handicap"):
            try:
                values["handicap"] = parse_handicap(text)
            except ValueError as error:
                self.problem("handicap", str(error))
        if codes := self.languages():
            values["languages"] = codes
        for name in ("offers", "seeks"):
            if keys := self.tag_keys(name):
                values[name] = keys
        for name, attribute in (("host", "is_host"), ("consent", "consent_to_share")):
            if text := self.cell(name):
                folded = normalise(text)
                if folded in YES or folded in NO:
                    values[attribute] = folded in YES
                else:
                    self.problem(name, _("%(text)s is neither yes nor no", text=repr(text)))
        return values, self.problems

    def cell(self, name: str) -> str:
        index = self.columns.get(name)
        text = self.cells[index] if index is not None and index < len(self.cells) else ""
        # Undo the quote our export puts before text a spreadsheet would run as a formula.
        return text[1:] if QUOTED_FORMULA.match(text) else text

    def problem(self, column: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        self.problems.append(ImportProblem(self.number, column, message, suggestions))

    def languages(self) -> list[str]:
        codes: list[str] = []
        for part in re.split(r"[;,/|]", self.cell("languages")):
            if not part.strip():
                continue
            code = parse_language(part)
            if code is not None:
                if code not in codes:
                    codes.append(code)
                continue
            close = difflib.get_close_matches(normalise(part), _LANGUAGE_NAMES, n=1)
            hint = (_LANGUAGE_NAMES[close[0]],) if close else ()
            self.problem("languages", _("unknown language %(name)s", name=repr(part.strip())), hint)
        return codes

    def tag_keys(self, column: str) -> list[str]:
        keys: list[str] = []
        for part in re.split(r"[;,]", self.cell(column)):
            spelling = normalise(part)
            if not spelling:
                continue
            key = self.tags.normalise(part)
            if key is None and self.create_tags:
                key = "-".join(spelling.split())
                if len(key) > 100:
                    self.problem(
                        column,
                        _(
                            "tag %(tag)s is too long (at most 100 characters)",
                            tag=repr(part.strip()),
                        ),
                    )
                    continue
                self.preview.new_tags.setdefault(key, part.strip())
            if key is None:
                self.problem(
                    column,
                    _("unknown tag %(tag)s", tag=repr(part.strip())),
                    tuple(self.tags.suggest(part)),
                )
            elif key not in keys:
                keys.append(key)
        return keys


def _parse_rows(
    event: Event,
    columns: dict[str, int],
    records: Records,
    preview: ImportPreview,
    create_tags: bool,
    stored: dict[str, dict[str, object]],
) -> None:
    reader = _RowReader(columns, _catalog(event), create_tags, preview)
    first_row: dict[str, int] = {}
    for number, cells in records:
        values, problems = reader.read(number, cells)
        raw_email = reader.cell("email")
        email = parse_email(raw_email)
        if not raw_email:
            problems.insert(0, ImportProblem(number, "email", _("missing email address")))
        elif email is None:
            problems.insert(
                0,
                ImportProblem(
                    number, "email", _("not an email address: %(text)s", text=repr(raw_email))
                ),
            )
        elif email in first_row:
            problems.insert(
                0,
                ImportProblem(
                    number,
                    "email",
                    _("%(email)s is already on row %(row)d", email=email, row=first_row[email]),
                ),
            )
        else:
            first_row[email] = number
            if "first_name" not in values and email not in stored:
                problems.append(
                    ImportProblem(
                        number, "first_name", _("missing first name (needed for a new attendee)")
                    )
                )
        preview.problems.extend(problems)
        if not problems:
            preview.rows.append(ImportRow(number, email, values))
    if not first_row and not preview.problems:
        preview.problems.append(ImportProblem(0, "", _("The file has a header row but no people.")))
