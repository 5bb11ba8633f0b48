"""The similarity check at the size the issue asks for: 5,000 entries of 1,500 syllables, under 60 s.

The entries are synthetic but built from real Vietnamese: the syllables (and how often each is used) come from the
texts in ../shared/context, the site's Vietnamese translations, Babel's Vietnamese locale data and the system's
Vietnamese message catalogs (about 1,700 syllables), drawn in random order. Into them go
  * common quotations (Bác Hồ's sayings, the title of Chỉ thị 05, sentences of the Hà Nội article), each used by
    hundreds of entries, as real essays do; a few less common ones used by some twenty entries each;
  * 50 planted copies: a passage of 30 to 200 syllables of one entry copied into another (100 distinct entries).
find_similar is timed (median and best of 3 runs, wall-clock and CPU time: other work on the machine slows the
first) with the default settings (k = 8, min_words = 25, max_df = 50 at this size), and the planted pairs it finds
are counted (recall); any other pair it reports is counted too.

Then the whole check as the command runs it is timed once on SQLite (entries stored as HTML, read back, reduced
to plain text, compared, pairs stored).

    .venv/bin/python bench/similarity.py [--documents 5000] [--syllables 1500] [--plants 50] [--repeats 3]
                                         [--no-database]

`run()` returns the figures as a dict; `main()` prints them as a markdown section for docs/performance.md.
"""

from __future__ import annotations

import argparse
import gettext
import os
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contest.essays.similarity import DEFAULT_K, default_max_df, find_similar, normalise_syllable  # noqa: E402

CONTEXT = ROOT.parent / "shared" / "context"
SYSTEM_CATALOGS = Path("/usr/share/locale/vi/LC_MESSAGES")
TRANSLATIONS = ROOT / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
MIN_WORDS = 25
LIMIT_SECONDS = 60.0

# Said by many writers: more than max_df entries each, so the check must ignore them.
COMMON_QUOTATIONS = [
    "Không có gì quý hơn độc lập, tự do.",
    "Vì lợi ích mười năm thì phải trồng cây, vì lợi ích trăm năm thì phải trồng người.",
    "Cần, kiệm, liêm, chính, chí công vô tư.",
    "Đoàn kết, đoàn kết, đại đoàn kết. Thành công, thành công, đại thành công.",
    "Dễ mười lần không dân cũng chịu, khó vạn lần dân liệu cũng xong.",
    "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
]

# A Vietnamese syllable (written without its tone and vowel marks): onset, vowels, coda. Keeps English words of
# the translation file (placeholders, "email", "CSV") out of the vocabulary.
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}"
                       r"(ch|ng|nh|[cmnpt])?$")


def _bare(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable.replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def source_texts() -> list[str]:
    """The project's own Vietnamese: the context article and facts, and the site's Vietnamese translations."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(CONTEXT.glob("*")) if path.suffix in (".txt", ".md")]
    if TRANSLATIONS.exists():
        texts += re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', TRANSLATIONS.read_text(encoding="utf-8"), re.M)
    return texts


def other_texts() -> list[str]:
    """More real Vietnamese for a wider vocabulary: Babel's Vietnamese names of languages, countries, currencies
    and scripts, and the Vietnamese message catalogs of the system's programs when it has them."""
    from babel import Locale

    locale = Locale("vi")
    texts = [name for names in (locale.languages, locale.territories, locale.currencies, locale.scripts)
             for name in names.values()]
    for path in sorted(SYSTEM_CATALOGS.glob("*.mo")):
        try:
            with path.open("rb") as handle:
                texts += [v for v in gettext.GNUTranslations(handle)._catalog.values() if isinstance(v, str)]
        except (OSError, gettext.error, UnicodeDecodeError):
            continue
    return texts


def vocabulary() -> tuple[list[str], np.ndarray]:
    """(syllables, how often each is used) from the texts above, most used first. From the other texts only
    syllables with tone or vowel marks are taken (or ones our own texts use), which keeps English out."""
    own: Counter[str] = Counter()
    for text in source_texts():
        for piece in text.split():
            syllable = normalise_syllable(piece)
            if syllable and _SYLLABLE.match(_bare(syllable)):
                own[syllable] += 1
    counts = Counter(own)
    for text in other_texts():
        for piece in text.split():
            syllable = normalise_syllable(piece)
            if syllable and _SYLLABLE.match(_bare(syllable)) and (syllable in own or _bare(syllable) != syllable):
                counts[syllable] += 1
    syllables = [s for s, _ in counts.most_common()]
    weights = np.array([counts[s] for s in syllables], dtype=np.float64)
    return syllables, weights / weights.sum()


def article_sentences(lowest: int, highest: int) -> list[str]:
    """Sentences of the context article of `lowest` to `highest` syllables: the long common quotations."""
    article = CONTEXT / "hanoi-hoc-tap-lam-theo-bac.txt"
    if not article.exists():
        return []
    sentences = re.split(r"(?<=[.!?])\s+", article.read_text(encoding="utf-8"))
    return [s.strip() for s in sentences if lowest <= len(s.split()) <= highest]


def make_documents(documents: int, syllables: int, plants: int, seed: int = 2026):
    """({id: text}, {(a, b): planted words}, vocabulary size)."""
    rng = np.random.default_rng(seed)
    vocab, weights = vocabulary()
    words = np.array(vocab, dtype=object)
    bodies = [list(words[rng.choice(len(vocab), size=syllables, p=weights)]) for _ in range(documents)]

    # Common quotations: the sayings and three long sentences of the article, each in 5 to 15% of the entries.
    common = COMMON_QUOTATIONS + article_sentences(30, 60)[:3]
    for quotation in common:
        users = rng.choice(documents, size=int(documents * rng.uniform(0.05, 0.15)), replace=False)
        for doc in users:
            at = int(rng.integers(0, syllables))
            bodies[doc][at:at] = quotation.split()
    # Less common ones: short (under min_words), each in about twenty entries.
    for quotation in article_sentences(10, MIN_WORDS - 5)[:20]:
        for doc in rng.choice(documents, size=20, replace=False):
            at = int(rng.integers(0, syllables))
            bodies[doc][at:at] = quotation.split()

    # Planted copies, between distinct entries (no entry is in two plants).
    planted: dict[tuple[int, int], int] = {}
    chosen = rng.choice(documents, size=2 * plants, replace=False)
    for i in range(plants):
        source, target = int(chosen[2 * i]), int(chosen[2 * i + 1])
        length = int(rng.integers(30, 201))
        start = int(rng.integers(0, len(bodies[source]) - length))
        at = int(rng.integers(0, len(bodies[target]) - length))
        bodies[target][at:at + length] = bodies[source][start:start + length]
        planted[(min(source, target) + 1, max(source, target) + 1)] = length
    texts = {doc + 1: " ".join(body) for doc, body in enumerate(bodies)}
    return texts, planted, len(vocab)


def as_html(text: str, per_paragraph: int = 120) -> str:
    """A text as the editor stores it: paragraphs of about `per_paragraph` syllables."""
    pieces = text.split()
    return "".join("<p>" + " ".join(pieces[i:i + per_paragraph]) + "</p>" for i in range(0, len(pieces), per_paragraph))


def check_in_database(texts: dict[int, str], workdir: Path) -> dict:
    """The whole check as the command runs it (load the submitted versions, plain text, compare, store the pairs),
    on SQLite with the texts as submitted entries of one writing contest."""
    from datetime import UTC, datetime

    from bench.data import _bulk, make_units, make_users
    from contest import create_app
    from contest.contests.models import Contest
    from contest.essays import checks
    from contest.essays.models import Category, Entry, EntryVersion, EssaySettings
    from contest.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'similarity.db'}", "TESTING": True,
                      "SECRET_KEY": "bench-secret-key-0123456789-0123456789-abcdef"})
    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        first, _last = make_users(len(texts), make_units(20), "sim")
        contest = Contest(slug="bench-similarity", kind="essay", title="Viết về tấm gương điển hình")
        db.session.add(contest)
        db.session.flush()
        db.session.add(EssaySettings(contest_id=contest.id, code_prefix="VT26", similarity_min_words=MIN_WORDS))
        category = Category(contest_id=contest.id, name="Cán bộ, đảng viên")
        db.session.add(category)
        db.session.flush()
        entries, versions = [], []
        for i, (key, body) in enumerate(sorted(texts.items())):
            words = len(body.split())
            entries.append((key, contest.id, category.id, first + i, f"VT26-{key:06d}", "submitted",
                            f"Tấm gương số {key}", as_html(body), words, 1, 1, now, now, now, now))
            versions.append((key, 1, category.id, f"Tấm gương số {key}", as_html(body), words, now))
        _bulk(Entry.__table__, ["id", "contest_id", "category_id", "author_id", "code", "status", "title",
                                "body_html", "word_count", "version", "submitted_version", "created_at", "saved_at",
                                "submitted_at", "first_submitted_at"], entries)
        _bulk(EntryVersion.__table__, ["entry_id", "number", "category_id", "title", "body_html", "word_count",
                                       "saved_at"], versions)
        db.session.commit()
        db.session.expire_all()
        started, cpu = time.perf_counter(), time.process_time()
        pairs = checks.run_check(db.session.get(Contest, contest.id))
        db.session.commit()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.remove()
        db.engine.dispose()
    return {"check_seconds": round(seconds, 2), "check_cpu_seconds": round(cpu, 2), "check_pairs": pairs}


def run(documents: int = 5000, syllables: int = 1500, plants: int = 50, repeats: int = 3,
        database: bool = True) -> dict:
    started = time.perf_counter()
    texts, planted, vocab_size = make_documents(documents, syllables, plants)
    generated = time.perf_counter() - started
    times, cpu = [], []
    matches = []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        matches = find_similar(texts, MIN_WORDS)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    in_database = {}
    if database:
        with tempfile.TemporaryDirectory(prefix="contest-similarity-") as tmp:
            in_database = check_in_database(texts, Path(tmp))
    found = {(m.a, m.b): m for m in matches}
    hits = [pair for pair in planted if pair in found]
    whole = [pair for pair in hits if max(p.words for p in found[pair].passages) >= planted[pair]]
    return {
        "documents": documents,
        "syllables_per_document": syllables,
        "total_syllables": sum(len(t.split()) for t in texts.values()),
        "vocabulary": vocab_size,
        "k": DEFAULT_K,
        "min_words": MIN_WORDS,
        "max_df": default_max_df(documents),
        "generate_seconds": round(generated, 2),
        "seconds": [round(t, 2) for t in times],
        "median_seconds": round(statistics.median(times), 2),
        "best_seconds": round(min(times), 2),
        "median_cpu_seconds": round(statistics.median(cpu), 2),
        "planted": len(planted),
        "found": len(hits),
        "found_whole": len(whole),
        "recall": round(len(hits) / len(planted), 4) if planted else 1.0,
        "other_pairs": len(found) - len(hits),
        "cores": os.cpu_count(),
        **in_database,
    }


def markdown(result: dict) -> str:
    verdict = "within" if result["median_seconds"] < LIMIT_SECONDS else "OVER"
    return "\n".join([
        "## Similarity check",
        "",
        f"`find_similar` over {result['documents']:,} entries of {result['syllables_per_document']:,} syllables "
        f"({result['total_syllables']:,} in all; random order over {result['vocabulary']:,} real Vietnamese "
        "syllables, with common quotations in hundreds of entries and "
        f"{result['planted']} planted copies of 30 to 200 syllables), k = {result['k']}, min_words = "
        f"{result['min_words']}, max_df = {result['max_df']}, on {result['cores']} cores "
        "(bench/similarity.py):",
        "",
        f"- **{result['median_seconds']:.1f} s** median of {len(result['seconds'])} runs "
        f"(best {result['best_seconds']:.1f} s, {result['median_cpu_seconds']:.1f} s of CPU; {verdict} the 60 s "
        "limit).",
        *([f"- The whole check as `flask essays similarity` runs it on SQLite (load the submitted versions, "
           f"plain text from HTML, compare, store {result['check_pairs']} pairs): "
           f"**{result['check_seconds']:.1f} s** ({result['check_cpu_seconds']:.1f} s of CPU)."]
          if "check_seconds" in result else []),
        f"- Planted copies found: {result['found']} of {result['planted']} (recall {result['recall']:.0%}), "
        f"{result['found_whole']} of them at their full length; other pairs reported: {result['other_pairs']}.",
        "",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--syllables", type=int, default=1500)
    parser.add_argument("--plants", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-database", action="store_true", help="Time find_similar only.")
    args = parser.parse_args(argv)
    result = run(args.documents, args.syllables, args.plants, args.repeats, database=not args.no_database)
    print(markdown(result))
    within = result["median_seconds"] < LIMIT_SECONDS and result.get("check_seconds", 0) < LIMIT_SECONDS
    return 0 if within and result["recall"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
