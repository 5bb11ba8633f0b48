"""Health, the API description endpoint, and JSON answers for unknown paths and methods."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from contest.extensions import db


def test_health_is_ok(client):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    resp = client.get("/api/v1/health", headers={"Accept-Language": "en"})
    assert resp.status_code == 503
    assert resp.json["error"]["code"] == "unavailable"
    assert resp.json["error"]["message"] == "The database cannot be reached."


def test_health_ignores_credentials(client):
    # Monitors may share a client with a stale token; health only speaks about the service.
    assert client.get("/api/v1/health", headers={"Authorization": "Bearer nonsense"}).status_code == 200


def test_unknown_path_is_a_json_404(client):
    resp = client.get("/api/v1/nope")
    assert resp.status_code == 404
    assert resp.is_json
    assert resp.json["error"]["code"] == "not_found"
    assert resp.json["error"]["message"]


def test_wrong_method_is_a_json_405(client):
    resp = client.get("/api/v1/auth/register")
    assert resp.status_code == 405
    assert resp.json["error"]["code"] == "method_not_allowed"


def test_ids_too_large_for_the_database_are_404_not_500(admin_client):
    resp = admin_client.put("/api/v1/users/99999999999999999999999/roles", json={"roles": []})
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"


def test_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.json
    assert doc["openapi"].startswith("3.1")
    assert "bearerAuth" in doc["components"]["securitySchemes"]
    assert "Error" in doc["components"]["schemas"]
