"""The similarity check of a writing contest through the API: the pairs of the last check, and running it again."""

from __future__ import annotations

from typing import Any

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.api.common import iso, page_params
from contest.core import clock
from contest.essays import checks
from contest.essays.models import SimilarityPair
from contest.extensions import db

_TAG = "essays"


def pair_json(pair: SimilarityPair) -> dict[str, Any]:
    return {"id": pair.id, "a": pair.entry_a.code, "b": pair.entry_b.code, "similarity": pair.similarity,
            "shared_words": pair.shared_words, "passages": len(pair.passages), "entry_a_id": pair.entry_a_id,
            "entry_b_id": pair.entry_b_id, "version_a": pair.version_a, "version_b": pair.version_b}


@bp.get("/contests/<slug>/similarity")
@roles_required("organiser")
def list_similarity(slug: str):
    contest = checks.essay_contest_for(slug, current_api_user())
    page = page_params()
    items = checks.pairs_of(contest, limit=page.limit, offset=page.offset)
    return {"items": [pair_json(p) for p in items], "total": checks.pair_count(contest),
            "checked_at": iso(checks.checked_at(contest))}


@bp.post("/contests/<slug>/similarity")
@roles_required("organiser")
def run_similarity(slug: str):
    user = current_api_user()
    contest = checks.essay_contest_for(slug, user)
    now = clock.utcnow()
    pairs = checks.run_check(contest, now=now, actor=user)
    db.session.commit()
    return {"pairs": pairs, "checked_at": iso(now)}


# --- the description --------------------------------------------------------------------------------------

_SLUG = openapi.path_param("slug", "The writing contest's slug.", {"type": "string"})
_LISTING = openapi.list_of(openapi.ref("SimilarPair"))
_LISTING["properties"]["checked_at"] = {"anyOf": [openapi.ref("DateTime"), {"type": "null"}],
                                        "description": "When the pairs were computed; null if never."}

openapi.register(
    paths={"/contests/{slug}/similarity": {
        "get": openapi.operation(
            "Pairs of entries sharing long passages", tag=_TAG, operation_id="listSimilarPairs", access="role",
            description="Organisers. The pairs of the contest's last similarity check, most similar first: `a` and "
                        "`b` are entry codes, `similarity` (0..1) the share of the shorter entry found in the "
                        "other, `shared_words` the syllables in the shared passages, `passages` how many there "
                        "are. Only submitted entries (the version each writer submitted) are compared; a passage "
                        "counts from the contest's `similarity_min_words` syllables; phrases that many entries use "
                        "(well-known quotations) are ignored. `checked_at` is null until the check first runs. "
                        "404 for an unknown slug or a contest that is not a writing contest.",
            parameters=[_SLUG, *openapi.LIST_PARAMS],
            ok=(200, "The pairs", _LISTING),
            errors=(404,)),
        "post": openapi.operation(
            "Run the similarity check now", tag=_TAG, operation_id="runSimilarityCheck", access="role",
            description="Organisers. Compares the contest's submitted entries now and replaces the pairs of the "
                        "previous check (in one transaction: readers see the old pairs or the new ones, never "
                        "half). Takes a few seconds for thousands of entries. The same check runs from the command "
                        "line: `flask --app contest essays similarity SLUG`.",
            parameters=[_SLUG],
            ok=(200, "The check ran", {"type": "object", "required": ["pairs", "checked_at"],
                                       "properties": {"pairs": {"type": "integer", "minimum": 0},
                                                      "checked_at": openapi.ref("DateTime")}}),
            errors=(404,)),
    }},
    schemas={"SimilarPair": {
        "type": "object",
        "required": ["id", "a", "b", "similarity", "shared_words", "passages"],
        "properties": {
            "id": openapi.ref("Id"),
            "a": {"type": ["string", "null"], "description": "The first entry's code."},
            "b": {"type": ["string", "null"], "description": "The second entry's code."},
            "similarity": {"type": "number", "minimum": 0, "maximum": 1},
            "shared_words": {"type": "integer", "minimum": 0},
            "passages": {"type": "integer", "minimum": 1, "description": "How many shared passages."},
            "entry_a_id": openapi.ref("Id"),
            "entry_b_id": openapi.ref("Id"),
            "version_a": {"type": "integer", "description": "The version of entry a that was compared."},
            "version_b": {"type": "integer", "description": "The version of entry b that was compared."},
        },
    }},
)
