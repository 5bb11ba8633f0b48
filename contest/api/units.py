"""The unit tree through the API: list it (anyone, for sign-up forms) and add units (admins)."""

from __future__ import annotations

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.api.common import paginate_list, read_json
from contest.extensions import db
from contest.units import services
from contest.units.models import Unit
from contest.units.services import TreeRow


def unit_json(unit: Unit | TreeRow) -> dict:
    return {"id": unit.id, "name": unit.name, "parent_id": unit.parent_id}


@bp.get("/units")
def list_units():
    # Tree order (depth first, siblings by Vietnamese name): a parent always comes before its children.
    return paginate_list(services.unit_tree(), unit_json)


@bp.post("/units")
@roles_required("admin")
def create_unit():
    body = read_json({"name": "string", "parent_id": "id"})
    unit = services.create_unit(body["name"], body["parent_id"], actor=current_api_user())
    db.session.commit()
    return unit_json(unit), 201


openapi.register(
    paths={
        "/units": {
            "get": openapi.operation(
                "List units", tag="units", operation_id="listUnits", access="public",
                description="In tree order: depth first, siblings by Vietnamese name, parents before children.",
                parameters=openapi.LIST_PARAMS,
                ok=(200, "Units", openapi.list_of(openapi.ref("Unit"))),
                errors=(400,)),
            "post": openapi.operation(
                "Create a unit", tag="units", operation_id="createUnit", access="role",
                description="Admins only. `parent_id` null (or absent) makes a top-level unit.",
                body=openapi.ref("UnitCreate"),
                ok=(201, "The new unit", openapi.ref("Unit")),
                errors=(409, 422)),
        },
    },
    schemas={
        "Unit": {"type": "object", "required": ["id", "name", "parent_id"],
                 "properties": {"id": openapi.ref("Id"), "name": {"type": "string"},
                                "parent_id": {"anyOf": [openapi.ref("Id"), {"type": "null"}]}}},
        "UnitCreate": {"type": "object", "required": ["name"],
                       "properties": {"name": {"type": "string", "maxLength": 200},
                                      "parent_id": {"anyOf": [openapi.ref("Id"), {"type": "null"}]}}},
    },
)
