"""Certificates: issuing them for a contest's awards (kept in step with the awards on every publication), participation
certificates of published quiz rounds, revocation, who may see one, and the data a PDF is rendered from.

A certificate copies its holder, unit, contest and award when issued (see models.Certificate), so a kept code keeps
saying what it said. Services flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import audit, clock
from contest.core.clock import as_utc
from contest.core.errors import BadRequest, Conflict, Invalid, NotFound
from contest.core.text import nfc
from contest.essays.models import Coauthor, Entry, EntryVersion
from contest.extensions import db
from contest.quiz.models import Round
from contest.results.certificates import (
    CertificateData,
    new_certificate_code,
    normalise_certificate_code,
    render_many,
)
from contest.results.models import CERTIFICATE_KINDS, Award, Certificate, PublishedRank, ResultSettings
from contest.units.models import Unit

# Every code is "GCN-" (giấy chứng nhận) and 8 characters from certificates.CODE_ALPHABET.
CODE_PREFIX = "GCN"
CODE_ATTEMPTS = 20
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
AWARD_WITHDRAWN = "award withdrawn"
AWARD_CHANGED = "award changed"

PARTICIPATION_LABEL = _l("Certificate of participation")
# The line in bold on a participation certificate, where an award certificate names the prize.
PARTICIPATION_LINE = _l("Took part")
NO_CERTIFICATE = _l("No such certificate.")


def _tier_labels():
    from contest.results.services import TIER_LABELS

    return TIER_LABELS


# --- codes -------------------------------------------------------------------------------------------------------

def new_code() -> str:
    """A code no certificate has (the session's pending ones included: queries autoflush)."""
    for _attempt in range(CODE_ATTEMPTS):
        code = new_certificate_code(CODE_PREFIX)
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code
    raise RuntimeError("no free certificate code after several attempts")  # 31**8 codes: never in practice


def canonical_code(value: str | None) -> str:
    """The stored form of a typed code: case, spaces and dashes do not matter ("gcn 7k4m-9q2p" -> "GCN-7K4M9Q2P")."""
    compact = normalise_certificate_code(value).replace("-", "").replace("‐", "").replace("–", "")
    if len(compact) <= 8 or len(compact) > 30 or not compact.isalnum() or not compact.isascii():
        return ""
    return f"{compact[:-8]}-{compact[-8:]}"


def find_certificate(value: str | None) -> Certificate | None:
    code = canonical_code(value)
    if not code:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


# --- labels ------------------------------------------------------------------------------------------------------

def _standard_label(cert: Certificate):
    if cert.kind == "participation":
        return PARTICIPATION_LABEL
    return _tier_labels().get(cert.tier or "")


def _renderings(label) -> set[str]:
    """A translatable label as each of the site's languages says it (and its English msgid)."""
    out = set()
    for language in current_app.config.get("LANGUAGES", ("vi", "en")):
        with force_locale(language):
            out.add(str(label))
    return out


def _stored_label(label) -> str:
    """What a certificate keeps of a standard label: its wording in the site's default language at issue."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        return str(label)


def award_label(cert: Certificate, language: str | None = None) -> str:
    """The award as shown: a special prize's own name as issued; a standard tier (or participation) in `language`
    (the reader's when None), whatever language it was stored in."""
    standard = _standard_label(cert)
    if standard is None or (cert.award_label and cert.award_label not in _renderings(standard)):
        return cert.award_label
    if language is None:
        return str(standard)
    with force_locale(language):
        return str(standard)


# --- who may see a certificate -----------------------------------------------------------------------------------

def certificate_is_public(cert: Certificate) -> bool:
    """Award certificates are verifiable while the contest's results are published; participation certificates
    while their round is published. Revoked ones stay visible (as revoked) while published."""
    contest = db.session.get(Contest, cert.contest_id)
    if contest is None or contest.status == "draft":
        return False
    if cert.kind == "participation":
        round_ = db.session.get(Round, cert.round_id) if cert.round_id is not None else None
        return round_ is not None and round_.published_at is not None
    settings = db.session.get(ResultSettings, cert.contest_id)
    return settings is not None and settings.published_at is not None


def public_certificate(value: str | None) -> Certificate:
    """The certificate with this code when anyone may verify it; NotFound otherwise (unknown or not public)."""
    cert = find_certificate(value)
    if cert is None or not certificate_is_public(cert):
        raise NotFound(NO_CERTIFICATE)
    return cert


def may_download(cert: Certificate, user) -> bool:
    """The holder once the certificate is public; organisers always."""
    from contest.contests.services import is_organiser

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_organiser(user):
        return True
    return cert.user_id is not None and cert.user_id == user.id and certificate_is_public(cert)


def downloadable_certificate(value: str | None, user) -> Certificate:
    """The certificate for the holder or an organiser; NotFound for anyone else (not theirs to know about)."""
    cert = find_certificate(value)
    if cert is None or not may_download(cert, user):
        raise NotFound(NO_CERTIFICATE)
    return cert


# --- issuing for awards ------------------------------------------------------------------------------------------

def _unit_name(unit_id: int | None) -> str:
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else ""


def _entry_title(entry: Entry) -> str:
    """The title the entry was judged under: its submitted version's."""
    if entry.submitted_version is not None:
        title = db.session.scalar(select(EntryVersion.title).where(
            EntryVersion.entry_id == entry.id, EntryVersion.number == entry.submitted_version))
        if title:
            return title
    return entry.title


def _holders(award: Award) -> list[dict]:
    """Who receives a certificate for this award: {user_id, unit_id, entry_id, name, unit_name, detail}."""
    round_title = ""
    if award.round_id is not None:
        round_ = db.session.get(Round, award.round_id)
        round_title = round_.title if round_ is not None else ""
    if award.entry_id is not None:
        entry = db.session.get(Entry, award.entry_id)
        if entry is None:
            return []
        title = _entry_title(entry)
        author = db.session.get(User, entry.author_id)
        people = []
        if author is not None:
            people.append({"user_id": author.id, "unit_id": entry.unit_id, "entry_id": entry.id,
                           "name": author.full_name, "unit_name": _unit_name(entry.unit_id), "detail": title})
        coauthors = db.session.scalars(
            select(Coauthor).where(Coauthor.entry_id == entry.id, Coauthor.user_id.is_not(None))
            .order_by(Coauthor.position, Coauthor.id))
        seen = {p["user_id"] for p in people}
        for row in coauthors:
            if row.user_id in seen:
                continue
            seen.add(row.user_id)
            user = db.session.get(User, row.user_id)
            unit_id = row.unit_id if row.unit_id is not None else (user.unit_id if user is not None else None)
            people.append({"user_id": row.user_id, "unit_id": unit_id, "entry_id": entry.id,
                           "name": user.full_name if user is not None else row.full_name,
                           "unit_name": _unit_name(unit_id), "detail": title})
        return people
    if award.user_id is not None:
        user = db.session.get(User, award.user_id)
        if user is None:
            return []
        unit_id, unit_name = user.unit_id, _unit_name(user.unit_id)
        if award.round_id is not None:  # the unit the member took part for, as published
            rank = db.session.get(PublishedRank, (award.round_id, user.id))
            if rank is not None and rank.unit_name is not None:
                unit_id, unit_name = rank.unit_id, rank.unit_name
        return [{"user_id": user.id, "unit_id": unit_id, "entry_id": None, "name": user.full_name,
                 "unit_name": unit_name, "detail": round_title}]
    if award.unit_id is not None:
        name = _unit_name(award.unit_id)
        return [{"user_id": None, "unit_id": award.unit_id, "entry_id": None, "name": name, "unit_name": "",
                 "detail": round_title}] if name else []
    return []


def _holder_key(award_id: int | None, user_id: int | None, unit_id: int | None) -> tuple:
    return (award_id, "user", user_id) if user_id is not None else (award_id, "unit", unit_id)


def _label_for(award: Award) -> str:
    return nfc(award.label) if nfc(award.label or "") else _stored_label(_tier_labels()[award.tier])


def _revoke_quietly(cert: Certificate, reason: str, actor, now: datetime) -> None:
    cert.revoked_at = now
    cert.revoked_reason = reason
    cert.revoked_by_id = getattr(actor, "id", None)
    audit.record("certificate_revoked", actor=actor, target_type="certificate", target_id=cert.id,
                 contest_id=cert.contest_id, code=cert.code, reason=reason, automatic=True)


def sync_award_certificates(contest: Contest, awards: Iterable[Award], actor, now: datetime | None = None,
                            ) -> dict[int, list[Certificate]]:
    """Bring the contest's award certificates in line with `awards` (its awards about to be published).

    Each person holding an award (a member; an entry's author and its co-authors with accounts; a unit, once) keeps
    their unrevoked certificate when the award (id, tier and label) and the holder are unchanged, and gets a new one
    otherwise; unrevoked award certificates of the contest matching none of them are revoked ("award withdrawn",
    or "award changed" when the award now says something else). Returns {award id: [certificates, holders in
    order]}. Flushes.
    """
    now = now or clock.utcnow()
    awards = list(awards)
    existing: dict[tuple, Certificate] = {}
    for cert in db.session.scalars(select(Certificate).where(
            Certificate.contest_id == contest.id, Certificate.kind == "award",
            Certificate.revoked_at.is_(None)).order_by(Certificate.id)):
        key = _holder_key(cert.award_id, cert.user_id, cert.unit_id if cert.user_id is None else None)
        if key in existing:  # a duplicate should not exist; keep the first, retire the other
            _revoke_quietly(cert, AWARD_CHANGED, actor, now)
            continue
        existing[key] = cert
    kept: set[int] = set()
    changed: set[int] = set()
    out: dict[int, list[Certificate]] = {}
    for award in awards:
        label = _label_for(award)
        certs = []
        for holder in _holders(award):
            key = _holder_key(award.id, holder["user_id"], holder["unit_id"] if holder["user_id"] is None else None)
            cert = existing.get(key)
            if cert is not None and cert.tier == award.tier and cert.award_label == label:
                kept.add(cert.id)
                certs.append(cert)
                continue
            if cert is not None:
                changed.add(cert.id)
            cert = Certificate(
                code=new_code(), kind="award", contest_id=contest.id, round_id=award.round_id, award_id=award.id,
                user_id=holder["user_id"], entry_id=holder["entry_id"], unit_id=holder["unit_id"],
                holder_name=nfc(holder["name"])[:300], unit_name=nfc(holder["unit_name"])[:300],
                contest_title=nfc(contest.title)[:300], award_label=label[:200], tier=award.tier,
                detail=nfc(holder["detail"] or "")[:400], issued_at=now)
            db.session.add(cert)
            db.session.flush()
            certs.append(cert)
        out[award.id] = certs
    for cert in existing.values():
        if cert.id not in kept:
            _revoke_quietly(cert, AWARD_CHANGED if cert.id in changed else AWARD_WITHDRAWN, actor, now)
    db.session.flush()
    return out


# --- participation certificates ----------------------------------------------------------------------------------

def participation_offered(round_: Round) -> bool:
    settings = db.session.get(ResultSettings, round_.contest_id)
    return settings is not None and bool(settings.participation_certificates)


def participation_certificate(round_: Round, user) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.kind == "participation", Certificate.round_id == round_.id, Certificate.user_id == user.id)
        .order_by(Certificate.id))


def issue_participation(round_: Round, user, actor=None, now: datetime | None = None) -> Certificate:
    """The member's participation certificate of a published quiz round, issued on first request and the same one
    afterwards (a revoked one is not issued again).

    409 `participation_not_offered` when the contest does not offer them, `round_not_published` before the round's
    results are published; 404 `no_result` when the member has no place in the published results."""
    now = now or clock.utcnow()
    contest = db.session.get(Contest, round_.contest_id)
    if contest is None or contest.kind != "quiz" or not participation_offered(round_):
        raise Conflict(_l("This contest does not offer participation certificates."),
                       code="participation_not_offered")
    if round_.published_at is None:
        raise Conflict(_l("The results of this round are not published yet."), code="round_not_published")
    rank = db.session.get(PublishedRank, (round_.id, user.id))
    if rank is None:
        raise NotFound(_l("You have no result in the published results of this round."), code="no_result")
    # Two clicks at once: the round's row is the lock (PostgreSQL), so the second sees the first's certificate.
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    cert = participation_certificate(round_, user)
    if cert is not None:
        return cert
    cert = Certificate(
        code=new_code(), kind="participation", contest_id=contest.id, round_id=round_.id, user_id=user.id,
        unit_id=rank.unit_id, holder_name=nfc(rank.name or user.full_name)[:300],
        unit_name=nfc(rank.unit_name or "")[:300], contest_title=nfc(contest.title)[:300],
        award_label=_stored_label(PARTICIPATION_LABEL)[:200], tier=None, detail=nfc(round_.title)[:400],
        issued_at=now)
    try:
        with db.session.begin_nested():  # SQLite has no row lock: the unique index settles a race there
            db.session.add(cert)
            db.session.flush()
    except IntegrityError:
        existing = participation_certificate(round_, user)
        if existing is None:
            raise
        return existing
    return cert


# --- revocation --------------------------------------------------------------------------------------------------

def revoke(cert: Certificate, actor, reason: str | None, now: datetime | None = None) -> Certificate:
    """Revoke a certificate (organisers; the caller checks the role): a reason is required (422 `reason_required`),
    a revoked one cannot be revoked again (409 `already_revoked`). Audited. Flushes."""
    reason = nfc(reason or "").strip()
    if not reason:
        msg = _l("Give the reason for revoking this certificate.")
        raise Invalid(msg, code="reason_required", fields={"reason": [msg]})
    if len(reason) > 1000:
        msg = _l("Keep the reason under %(n)d characters.", n=1000)
        raise Invalid(msg, fields={"reason": [msg]})
    if cert.revoked_at is not None:
        raise Conflict(_l("This certificate has already been revoked."), code="already_revoked")
    cert.revoked_at = now or clock.utcnow()
    cert.revoked_reason = reason
    cert.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("certificate_revoked", actor=actor, target_type="certificate", target_id=cert.id,
                 contest_id=cert.contest_id, code=cert.code, reason=reason)
    return cert


# --- lists and rendering -----------------------------------------------------------------------------------------

def certificates_of_contest(contest: Contest):
    """A select of the contest's certificates, awards first (by tier order through the award), then by code."""
    return select(Certificate).where(Certificate.contest_id == contest.id).order_by(
        Certificate.kind, Certificate.issued_at, Certificate.id)


def certificates_of_user(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def local_date(value: datetime) -> date:
    return as_utc(value).astimezone(HANOI).date()


def verify_url(cert: Certificate) -> str:
    return url_for("results.verify", code=cert.code, _external=True)


def certificate_data(cert: Certificate, language: str = "vi") -> CertificateData:
    """What the PDF prints, in `language` ("vi" or "en"), from the certificate as issued and the contest's result
    settings (signer, organisation, place)."""
    language = language if language in ("vi", "en") else "vi"
    settings = db.session.get(ResultSettings, cert.contest_id)
    extra = {}
    if settings is not None:
        extra = {"place": settings.place or "", "signer_title": settings.signer_title or "",
                 "signer_name": settings.signer_name or "", "organisation": settings.organisation or ""}
    labels = {}
    label = award_label(cert, language)
    if cert.kind == "participation":
        labels["achievement"] = ""
        if label in _renderings(PARTICIPATION_LABEL):
            with force_locale(language):
                label = str(PARTICIPATION_LINE)
    return CertificateData(
        code=cert.code, holder_name=cert.holder_name, contest_title=cert.contest_title, award_label=label,
        issued_on=local_date(cert.issued_at), verify_url=verify_url(cert), unit_name=cert.unit_name or "",
        detail=cert.detail or "", revoked=cert.revoked_at is not None, language=language, labels=labels, **extra)


def contest_certificates_zip(contest: Contest, actor, language: str = "vi", kind: str | None = None) -> bytes:
    """Every valid (unrevoked) certificate of the contest (of one `kind`, "award" or "participation", when given),
    one PDF each, in one ZIP; 400 for another kind, 404 `no_certificates` when there is none. Audited
    "certificates_downloaded" (the caller commits before sending it).

    Each PDF takes some 40 ms to draw: a contest with thousands of participation certificates is better downloaded
    with kind="award" (the participants download their own)."""
    if kind not in (None, *CERTIFICATE_KINDS):
        msg = _l("Choose the kind: %(choices)s.", choices=", ".join(CERTIFICATE_KINDS))
        raise BadRequest(msg, fields={"kind": [msg]})
    stmt = certificates_of_contest(contest).where(Certificate.revoked_at.is_(None))
    if kind is not None:
        stmt = stmt.where(Certificate.kind == kind)
    certs = db.session.scalars(stmt).all()
    if not certs:
        raise NotFound(_l("This contest has no certificates to download."), code="no_certificates")
    body = render_many(certificate_data(c, language) for c in certs)
    audit.record("certificates_downloaded", actor=actor, target_type="contest", target_id=contest.id,
                 contest_id=contest.id, count=len(certs), language=language, kind=kind or "all")
    return body
