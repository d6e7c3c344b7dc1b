"""The Swedish and Hebrew catalogs: complete, no fuzzy entries, placeholders intact, and used."""

import os
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from eventapp.extensions import babel
from eventapp.services.events import load_event_file
from tests.app.planning_support import event_file, plan_message, plan_session, session_of

TRANSLATIONS = Path(__file__).resolve().parents[2] / "eventapp" / "translations"
LANGUAGES = ("sv", "he")

# %(name)s, %(num)d, %(share).1f ... and a literal %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def load(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang, abort_invalid=True)


def compile_into(catalog, path: Path) -> None:
    """Write the .mo atomically, so a half-written file is never read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(partial, "wb") as f:
        write_mo(f, catalog)
    os.replace(partial, path)


def messages(catalog):
    return [message for message in catalog if message.id]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_compiles(lang, tmp_path):
    catalog = load(lang)
    assert not catalog.fuzzy, f"{lang}: the header is marked fuzzy"
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template_ids = {m.id for m in messages(read_po(f))}
    ids = {m.id for m in messages(catalog)}
    assert not template_ids - ids, f"{lang}: run pybabel update; missing {template_ids - ids}"

    fuzzy = [m.id for m in messages(catalog) if m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy}"
    untranslated = [
        m.id for m in messages(catalog) if not (all(m.string) if m.pluralizable else m.string)
    ]
    assert not untranslated, f"{lang}: untranslated {untranslated}"
    if any(m.pluralizable for m in messages(catalog)):
        forms = {len(m.string) for m in messages(catalog) if m.pluralizable}
        assert forms == {catalog.num_plurals}, f"{lang}: plural forms {forms}"

    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert not errors, f"{lang}: {errors}"

    mo = tmp_path / f"{lang}.mo"
    compile_into(catalog, mo)
    with open(mo, "rb") as f:
        compiled = Translations(f)
    for m in messages(catalog):
        if m.pluralizable:
            got = [compiled.ngettext(*m.id, n) for n in (1, 2)]
            assert got == [m.string[compiled.plural(n)] for n in (1, 2)], m.id
        else:
            assert compiled.gettext(m.id) == m.string, m.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang):
    wrong = []
    for m in messages(load(lang)):
        if m.pluralizable:
            singular, plural = m.id
            pairs = [(singular, m.string[0])] + [(plural, s) for s in m.string[1:]]
        else:
            pairs = [(m.id, m.string)]
        wrong += [
            (source, text) for source, text in pairs if placeholders(source) != placeholders(text)
        ]
    assert not wrong, f"{lang}: placeholders differ in {wrong}"


@pytest.fixture
def compiled_catalogs(app):
    """Compile the real .mo files (git-ignored) so the app serves them; forget cached ones."""
    for lang in LANGUAGES:
        compile_into(load(lang), TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo")
    # Flask-Babel keeps loaded catalogs on the shared extension, across apps and tests.
    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


@pytest.mark.parametrize(
    ("lang", "heading", "label"),
    [
        ("sv", "<h1>Evenemang</h1>", "Första dagen"),
        ("he", "<h1>אירועים</h1>", "תאריך התחלה"),
    ],
)
def test_pages_are_translated(compiled_catalogs, client, auth, lang, heading, label):
    auth.login()
    page = client.get(f"/?lang={lang}").text
    assert heading in page
    assert "<h1>Events</h1>" not in page
    # Form labels are lazy strings (lazy_gettext in eventapp/views/forms.py).
    assert label in client.get("/events/new").text
    assert "First day" not in client.get("/events/new").text
    assert "<h1>Events</h1>" in client.get("/?lang=en").text


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("sv", "Middag kan inte planeras: personer som hålls ihop måste få plats vid ett bord."),
        ("he", "לא ניתן לתכנן את Middag: משתתפים שמשובצים יחד חייבים להיכנס לשולחן אחד."),
    ],
)
def test_an_impossible_plan_says_why_in_the_page_language(
    compiled_catalogs, client, auth, lang, says
):
    auth.login()
    data = event_file()
    data["sessions"][0]["name"] = "Middag"
    together = ["ben@example.se", "cia@example.se", "eva@example.se", "finn@example.se"]
    data["constraints"].append({"kind": "keep_together", "people": together})
    plan = plan_session(client, session_of(load_event_file(data)))
    message = plan_message(client.get(f"/plans/{plan.id}?lang={lang}").text)
    assert message.startswith(says)
    for name in ("Ben Cohen", "Cia Dahl", "Eva Falk", "Finn Gran"):
        assert name in message
    for english in ("cannot be planned", "must sit together", "Rule:", "People involved"):
        assert english not in message
    versions = client.get(f"/sessions/{plan.session_id}/plans").text
    assert says.split(": ", 1)[1].rstrip(".") in versions
