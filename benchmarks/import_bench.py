"""Attendee import speed: `python -m benchmarks.import_bench [--rows 5000]` from the repo root.

Builds a semicolon CSV with a BOM (as Swedish Excel writes it) against the nordic-golf tag
catalog, then times preview, apply, and a re-import of the same file (all unchanged). The
baseline is csv.DictReader over the same bytes in the same run; figures are printed as seconds
and as multiples of it. Nothing is asserted: machines differ.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import tempfile
import time
from pathlib import Path

from eventapp import create_app
from eventapp.extensions import db
from eventapp.services.events import load_event_file
from eventapp.services.importing import apply_import, preview_import

SAMPLE = Path(__file__).resolve().parent.parent / "sample_events" / "nordic-golf.json"
FIRST = ["Åsa", "Björn", "Göran", "Märta", "Sören", "Ingrid", "Håkan", "Maja", "Lars", "Elin"]
LAST = ["Lindström", "Åkesson", "Öberg", "Sjögren", "Bäckström", "Höglund", "Nordström"]


def people_csv(rows: int, tags: list[dict], seed: int = 5000) -> bytes:
    """rows people; offers and seeks spelt as keys, Swedish labels or synonyms, mixed case."""
    rng = random.Random(seed)
    spellings = [
        spelling
        for tag in tags
        for spelling in (
            tag["key"],
            tag["labels"]["sv"],
            tag["labels"]["en"].upper(),
            *tag["synonyms"],
        )
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["Förnamn", "Efternamn", "E-post", "Företag", "Språk", "Erbjuder", "Söker", "Hcp", "Värd"]
    )
    for n in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        writer.writerow(
            [
                first,
                last,
                f"person{n}@example.se",
                f"Bolag {n // 3} AB",
                "sv, en",
                ", ".join(rng.sample(spellings, 2)),
                rng.choice(spellings),
                f"{rng.uniform(0, 36):.1f}".replace(".", ","),
                "nej",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    tags = json.loads(SAMPLE.read_text(encoding="utf-8"))["tags"]
    data = people_csv(args.rows, tags)

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            event = load_event_file(
                {"format": "mingle-event/1", "event": {"name": "Import benchmark"}, "tags": tags}
            )
            baseline = min(
                timed(
                    lambda: list(
                        csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
                    )
                )[0]
                for _ in range(5)
            )
            figures = []
            preview_s, preview = timed(lambda: preview_import(event, "people.csv", data))
            assert preview.ok, preview.problems[:3]
            figures.append((f"preview ({preview.new} new)", preview_s))
            figures.append(("apply", timed(lambda: apply_import(event, preview))[0]))
            again_s, again = timed(lambda: preview_import(event, "people.csv", data))
            figures.append((f"re-import preview ({again.unchanged} unchanged)", again_s))
            figures.append(("re-import apply", timed(lambda: apply_import(event, again))[0]))
            db.drop_all()
            dialect = db.engine.dialect.name
            db.engine.dispose()

    print(f"{args.rows} rows, {len(data) / 1e6:.2f} MB CSV, {len(tags)} tags, {dialect}")
    print(f"{'baseline: csv.DictReader':40} {baseline:8.3f} s {1:9.0f}x")
    for name, seconds in figures:
        print(f"{name:40} {seconds:8.3f} s {seconds / baseline:9.0f}x")


if __name__ == "__main__":
    main()
