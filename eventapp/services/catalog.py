"""An event's tag catalog: the things people offer and seek, labelled in several languages."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.models import Event, Tag


class CatalogProblem(ValueError):
    """Bad tag input, with a message for the organiser."""


def tag_key(text: str) -> str:
    """A stable key from a label: "Office furniture" -> "office-furniture"."""
    return re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-")


def save_tag(
    event: Event, tag: Tag | None, *, key: str, labels: dict[str, str], synonyms: list[str]
) -> Tag:
    """Create (tag=None) or update a tag; keys are unique within the event."""
    key = tag_key(key)
    if not key:
        raise CatalogProblem(_("A tag needs a key made of letters or digits."))
    if any(t.key == key and t is not tag for t in event.tags):
        raise CatalogProblem(_("The catalog already has a tag %(key)s.", key=key))
    tag = tag or Tag(event=event)
    tag.key = key
    tag.labels = {lang: label.strip() for lang, label in labels.items() if label.strip()}
    tag.synonyms = [s.strip() for s in synonyms if s.strip()]
    db.session.add(tag)
    db.session.commit()
    return tag


def delete_tag(tag: Tag) -> None:
    """Remove a tag; people who offered or sought it simply no longer do."""
    db.session.delete(tag)
    db.session.commit()
