"""The OpenAPI document and the routes cannot drift apart: every /api/v1 route is documented and every
documented operation exists, with matching path parameters, access and error answers."""

from __future__ import annotations

import re

import pytest

from contest.api import openapi

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def routed_operations(app) -> dict[tuple[str, str], object]:
    """{(path in OpenAPI form, method): view} for every /api/v1 rule."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        for method in rule.methods - IGNORED_METHODS:
            found[(path, method.lower())] = app.view_functions[rule.endpoint]
    return found


def documented_operations(doc) -> dict[tuple[str, str], dict]:
    return {(path, method): op for path, item in doc["paths"].items() for method, op in item.items()
            if method in HTTP_METHODS}


def test_every_route_is_documented_and_every_documented_operation_exists(app):
    routed = set(routed_operations(app))
    documented = set(documented_operations(openapi.document()))
    assert routed, "no /api/v1 routes found"
    assert routed - documented == set(), "routes without an OpenAPI operation"
    assert documented - routed == set(), "documented operations without a route"


def test_served_document_is_the_registry(client):
    assert client.get("/api/v1/openapi.json").json == openapi.document()


def test_path_parameters_are_declared(app):
    for (path, method), op in documented_operations(openapi.document()).items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        assert in_path == declared, f"{method.upper()} {path}"


def test_access_in_the_document_matches_the_views(app):
    doc = openapi.document()
    documented = documented_operations(doc)
    for key, view in routed_operations(app).items():
        op = documented[key]
        responses = op["responses"]
        name = f"{key[1].upper()} {key[0]}"
        if getattr(view, "api_auth_required", False):
            assert "401" in responses, name
            assert {} not in op["security"] and op["security"], name
        if getattr(view, "api_roles", None):
            assert "403" in responses, name
        if getattr(view, "api_skip_auth", False):
            assert op["security"] == [], name
        else:
            assert "401" in responses, name  # a bad bearer token is refused everywhere it is looked at
        if key[1] in openapi.UNSAFE_METHODS:
            for requirement in op["security"]:
                if "sessionCookie" in requirement:
                    assert "csrfToken" in requirement, name


def test_every_operation_has_an_id_a_success_and_error_answers_in_the_error_shape():
    doc = openapi.document()
    ids = []
    for (path, method), op in documented_operations(doc).items():
        ids.append(op["operationId"])
        statuses = [int(s) for s in op["responses"]]
        assert any(200 <= s < 300 for s in statuses), f"{method} {path}"
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                assert answer["$ref"].startswith("#/components/responses/"), f"{method} {path} {status}"
        if "requestBody" in op:
            assert {"400", "413"} <= set(op["responses"]), f"{method} {path}"
    assert len(ids) == len(set(ids)), "operationId used twice"
    for response in doc["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_reference_resolves():
    doc = openapi.document()

    def resolve(pointer: str):
        assert pointer.startswith("#/"), pointer
        node = doc
        for part in pointer[2:].split("/"):
            assert part in node, f"unresolved {pointer}"
            node = node[part]
        return node

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    resolve(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)


def test_registering_an_operation_twice_is_refused():
    with pytest.raises(ValueError, match="documented twice"):
        openapi.register({"/health": {"get": {}}})


def test_every_tag_used_is_declared(client):
    doc = client.get("/api/v1/openapi.json").json
    declared = {t["name"] for t in doc["tags"]}
    used = {tag for item in doc["paths"].values() for op in item.values() if isinstance(op, dict)
            for tag in op.get("tags", [])}
    assert used <= declared, used - declared
