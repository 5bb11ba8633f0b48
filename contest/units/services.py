"""Rules of the unit tree: listing it in order, creating, renaming, moving and deleting units."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from contest.accounts.models import User
from contest.core import audit
from contest.core.errors import Conflict, Invalid, NotFound
from contest.core.text import nfc, parse_id, sort_key, unaccent
from contest.extensions import db
from contest.units.models import Unit


@dataclass(frozen=True)
class TreeRow:
    """One unit in display order, with its depth and the names of its ancestors."""

    id: int
    name: str
    parent_id: int | None
    depth: int
    path: tuple[str, ...]
    code: str | None = None

    @property
    def path_label(self) -> str:
        return " › ".join(self.path)


def flatten_tree(units: list[tuple[int, str, int | None, str | None]]) -> list[TreeRow]:
    """Depth-first order of (id, name, parent_id, code) rows, children sorted by Vietnamese name.

    A pure function: units whose parent is missing are treated as roots, so a damaged tree still shows.
    """
    ids = {u[0] for u in units}
    children: dict[int | None, list] = defaultdict(list)
    for row in units:
        parent = row[2] if row[2] in ids else None
        children[parent].append(row)
    out: list[TreeRow] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int, path: tuple[str, ...]) -> None:
        for uid, name, parent_id, code in sorted(children.get(parent, ()), key=lambda r: sort_key(r[1])):
            if uid in seen:
                continue
            seen.add(uid)
            here = (*path, name)
            out.append(TreeRow(uid, name, parent_id, depth, here, code))
            walk(uid, depth + 1, here)

    walk(None, 0, ())
    return out


def unit_tree() -> list[TreeRow]:
    rows = db.session.execute(select(Unit.id, Unit.name, Unit.parent_id, Unit.code)).all()
    return flatten_tree([tuple(r) for r in rows])


def descendant_ids(unit_id: int, tree: list[TreeRow] | None = None) -> set[int]:
    """The unit and everything below it."""
    tree = tree if tree is not None else unit_tree()
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in tree:
        children[row.parent_id].append(row.id)
    found, stack = set(), [unit_id]
    while stack:
        uid = stack.pop()
        if uid in found:
            continue
        found.add(uid)
        stack.extend(children.get(uid, ()))
    return found


def get_unit(unit_id) -> Unit:
    number = parse_id(unit_id)
    unit = db.session.get(Unit, number) if number is not None else None
    if unit is None:
        raise NotFound(_l("No such unit."))
    return unit


def clean_unit_name(raw: str | None) -> str:
    name = nfc(raw)
    if not name:
        msg = _l("Enter the unit's name.")
        raise Invalid(msg, fields={"name": [msg]})
    if len(name) > 200:
        msg = _l("The name is too long (at most 200 characters).")
        raise Invalid(msg, fields={"name": [msg]})
    return name


def _parent(parent_id) -> Unit | None:
    if parent_id in (None, "", 0):
        return None
    number = parse_id(parent_id)
    parent = db.session.get(Unit, number) if number is not None else None
    if parent is None:
        msg = _l("The parent unit does not exist.")
        raise Invalid(msg, fields={"parent_id": [msg]})
    return parent


def _check_sibling_name(name: str, parent: Unit | None, exclude_id: int | None = None) -> None:
    where = Unit.parent_id == parent.id if parent is not None else Unit.parent_id.is_(None)
    siblings = db.session.execute(select(Unit.id, Unit.name).where(where)).all()
    folded = name.casefold()
    if any(uid != exclude_id and nfc(other).casefold() == folded for uid, other in siblings):
        msg = _l("A unit with this name already exists at this place in the tree.")
        raise Conflict(msg, code="unit_exists", fields={"name": [msg]})


def create_unit(name: str, parent_id=None, actor=None, code: str | None = None) -> Unit:
    name = clean_unit_name(name)
    parent = _parent(parent_id)
    _check_sibling_name(name, parent)
    unit = Unit(name=name, search_name=unaccent(name), parent=parent, code=nfc(code) or None)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit_created", actor=actor, target_type="unit", target_id=unit.id, name=name,
                 parent_id=parent.id if parent else None)
    return unit


def rename_unit(unit: Unit, name: str, actor=None) -> Unit:
    name = clean_unit_name(name)
    _check_sibling_name(name, unit.parent, exclude_id=unit.id)
    old = unit.name
    unit.name = name
    unit.search_name = unaccent(name)
    db.session.flush()
    audit.record("unit_renamed", actor=actor, target_type="unit", target_id=unit.id, old=old, new=name)
    return unit


def move_unit(unit: Unit, parent_id, actor=None) -> Unit:
    parent = _parent(parent_id)
    if parent is not None and parent.id in descendant_ids(unit.id):
        msg = _l("A unit cannot be moved under itself or one of its own sub-units.")
        raise Invalid(msg, code="cycle", fields={"parent_id": [msg]})
    _check_sibling_name(unit.name, parent, exclude_id=unit.id)
    old = unit.parent_id
    unit.parent = parent
    db.session.flush()
    audit.record("unit_moved", actor=actor, target_type="unit", target_id=unit.id, old_parent_id=old,
                 new_parent_id=parent.id if parent else None)
    return unit


def delete_unit(unit: Unit, actor=None) -> None:
    members = db.session.scalar(select(func.count()).select_from(User).where(User.unit_id == unit.id))
    if members:
        raise Conflict(_l("“%(name)s” cannot be deleted: %(n)d members belong to it. Move them to another unit "
                          "first.", name=unit.name, n=members), code="unit_has_members")
    children = db.session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == unit.id))
    if children:
        raise Conflict(_l("“%(name)s” cannot be deleted: it has %(n)d sub-units. Move or delete them first.",
                          name=unit.name, n=children), code="unit_has_children")
    audit.record("unit_deleted", actor=actor, target_type="unit", target_id=unit.id, name=unit.name)
    db.session.delete(unit)
    db.session.flush()


def member_counts() -> dict[int, int]:
    """Registered members per unit (not rolled up)."""
    rows = db.session.execute(select(User.unit_id, func.count()).where(User.unit_id.is_not(None))
                              .group_by(User.unit_id)).all()
    return {uid: n for uid, n in rows}


def subtree_member_counts(tree: list[TreeRow], counts: dict[int, int]) -> dict[int, int]:
    """Members of each unit together with those of all its sub-units (a district counts its wards).

    A pure function over flatten_tree's depth-first order: walking it backwards meets every child before its parent.
    """
    totals = {row.id: 0 for row in tree}
    for row in reversed(tree):
        totals[row.id] += counts.get(row.id, 0)
        if row.parent_id in totals:
            totals[row.parent_id] += totals[row.id]
    return totals


def ancestors(unit: Unit) -> list[Unit]:
    """The units above this one, from the root down (a damaged, cyclic tree stops at the repeat)."""
    chain: list[Unit] = []
    seen = {unit.id}
    parent = unit.parent
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


def clean_unit_code(raw: str | None, exclude_id: int | None = None) -> str | None:
    """The code to store (None when empty), or an error when it is too long or another unit has it.

    Codes are compared without regard to case, so "HN-01" and "hn-01" cannot name two units in an import file.
    """
    code = nfc(raw)
    if not code:
        return None
    if len(code) > 50:
        msg = _l("The code is too long (at most 50 characters).")
        raise Invalid(msg, fields={"code": [msg]})
    taken = db.session.execute(select(Unit.id, Unit.code).where(func.lower(Unit.code) == code.lower())).all()
    if any(uid != exclude_id and (other or "").casefold() == code.casefold() for uid, other in taken):
        msg = _l("Another unit already has the code “%(code)s”.", code=code)
        raise Conflict(msg, code="unit_code_taken", fields={"code": [msg]})
    return code


def set_unit_code(unit: Unit, code: str | None, actor=None) -> Unit:
    """Give the unit a code (or none); imports may name a unit by its code instead of its path."""
    new = clean_unit_code(code, exclude_id=unit.id)
    if new == unit.code:
        return unit
    old = unit.code
    unit.code = new
    db.session.flush()
    audit.record("unit_code_changed", actor=actor, target_type="unit", target_id=unit.id, old=old, new=new)
    return unit
