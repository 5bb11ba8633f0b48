"""The benchmarks of writing contests and judging, appended to docs/performance.md after bench/run.py wrote it.

    .venv/bin/python bench/features.py [--output docs/performance.md]

Each section replaces its previous version in the file (they start with "## Similarity check" and
"## Judge assignment"), so running this again after run.py, or on its own, leaves one copy of each.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import assignment, similarity  # noqa: E402

HEADINGS = ("## Similarity check", "## Judge assignment")


def replace_sections(document: str, sections: list[str]) -> str:
    """Drop the sections with our headings (up to the next "## " heading), then append the new ones."""
    for heading in HEADINGS:
        document = re.sub(rf"(?ms)^{re.escape(heading)}\n.*?(?=^## |\Z)", "", document)
    return document.rstrip() + "\n\n" + "\n\n".join(s.strip() for s in sections) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args(argv)
    found = similarity.run()
    assigned = assignment.run()
    sections = [similarity.markdown(found), assignment.report(assigned)]
    output = Path(args.output)
    output.write_text(replace_sections(output.read_text(encoding="utf-8") if output.exists() else "# Performance\n",
                                       sections), encoding="utf-8")
    print("\n\n".join(sections))
    ok = (found["median_seconds"] < similarity.LIMIT_SECONDS and found["recall"] == 1.0
          and assigned["seconds"] < assignment.TARGET_SECONDS)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
