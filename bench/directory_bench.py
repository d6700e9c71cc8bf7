"""Directory benchmark on PostgreSQL: the city's directory with 50 published organizations.

Prints (median of RUNS, in-process through Flask's test client, so the time is the server's alone):
  GET /directory (HTML) and GET /directory.json, unfiltered and filtered by a language
  bytes on the wire as served (gzip) for the page and its style sheet, and uncompressed
  refresh-directory (recount all 50 from live data)

Data: 50 organizations, each with 20 guides speaking 1–3 of 12 languages, a published profile with
3–6 districts, 2 specialisations and texts of the length an office writes (300–500 characters).

Usage: .venv/bin/python bench/directory_bench.py [--quick]   (--quick: 5 runs)
"""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fmt, fresh_database, median_of, timed  # noqa: E402

QUICK = "--quick" in sys.argv
RUNS = 5 if QUICK else 25
ORGANIZATIONS, GUIDES = 50, 20
LANGUAGES = ("ar", "fa", "prs", "ps", "ku", "tr", "ru", "uk", "pl", "ro", "ti", "so")
TEXT = ("Ehrenamtliche Integrationslotsinnen und -lotsen begleiten Menschen, die neu in Hannover sind, "
        "zu Ämtern, Schulen, Ärztinnen und Vereinen – in ihrer Sprache und so lange wie nötig. ")


def seed(url: str) -> object:
    from sqlalchemy import select

    from server import create_app
    from server.accounts.operations import create_organization, create_user
    from server.extensions import db
    from server.guides.models import GuideLanguage, GuideProfile
    from server.public import directory
    from sync.vocabulary import DISTRICTS, SPECIALISATIONS

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        rng = random.Random(17)
        for n in range(ORGANIZATIONS):
            org = create_organization(f"projekt-{n:02d}", f"Lotsenprojekt {n:02d} Hannover")
            guides = [create_user(org, f"guide{g}@projekt{n}.example", "guide", f"Lotsin {g} Projekt {n}")
                      for g in range(GUIDES)]
            db.session.flush()
            for guide in guides:
                profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
                profile.languages = [GuideLanguage(language=code, level="C1", dialect="", position=i)
                                     for i, code in enumerate(rng.sample(LANGUAGES, rng.randint(1, 3)))]
            profile_row = directory.profile_for(db.session, org.id)
            directory.save_draft(profile_row, {
                "districts": rng.sample(list(DISTRICTS), rng.randint(3, 6)),
                "specialisations": rng.sample(SPECIALISATIONS, 2),
                "offer": TEXT * 2, "how_to_get_help": TEXT, "how_to_become_guide": TEXT,
                "contact": f"Lotsenprojekt {n:02d}, Musterstraße {n}, 30159 Hannover, lotsen{n}@example.org"})
            profile_row.privacy_notice, profile_row.form_enabled = "Verantwortlich: …", n % 3 != 0
            directory.publish(db.session, profile_row)
            db.session.commit()
    return app


def main() -> None:
    with fresh_database("lotsenbuch_bench_directory") as url:
        app = seed(url)
        client = app.test_client()  # type: ignore[attr-defined]
        gz = {"Accept-Encoding": "gzip"}

        def get(path: str) -> float:
            return timed(lambda: client.get(path, headers=gz))

        for path in ("/directory", "/directory.json", "/directory?language=ar", "/directory.json?language=ti"):
            get(path)  # warm: templates compiled, connection pooled
            median, _values = median_of(RUNS, lambda path=path: get(path))
            print(f"GET {path:32} {fmt(median)}  (median of {RUNS})")

        page = client.get("/directory", headers=gz)
        html = gzip.decompress(page.get_data())
        css_path = html.decode().split('rel="stylesheet" href="')[1].split('"')[0]
        css = client.get(css_path).get_data()
        print(f"/directory on the wire: {len(page.get_data()):,} bytes gzip ({len(html):,} raw, "
              f"{html.count(b'<article')} organizations) + style sheet {len(gzip.compress(css)):,} gzip "
              f"({len(css):,} raw) = {len(page.get_data()) + len(gzip.compress(css)):,} bytes; no script")
        body = client.get("/directory.json", headers=gz).get_data()
        print(f"/directory.json on the wire: {len(body):,} bytes gzip ({len(gzip.decompress(body)):,} raw)")

        with app.app_context():  # type: ignore[attr-defined]
            from server.extensions import db
            from server.public.directory import refresh_directory

            def refresh() -> float:
                seconds = timed(lambda: refresh_directory(db.session))
                db.session.commit()
                return seconds

            median, _values = median_of(max(3, RUNS // 5), refresh)
            print(f"refresh-directory, {ORGANIZATIONS} organizations × {GUIDES} guides: {fmt(median)}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
