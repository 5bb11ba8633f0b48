"""The shared helpers future endpoints build on: lists from a query, optional bodies, session users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contest.accounts.models import User
from contest.api.common import BadRequest, page_params, paginate_query, read_json
from contest.extensions import db
from tests import factories


def test_paginate_query_counts_everything_and_returns_a_page(app, unit):
    users = [factories.gen_user(unit=unit) for _ in range(5)]
    with app.test_request_context("/api/v1/x?limit=2&offset=1"):
        body = paginate_query(select(User).order_by(User.id), lambda u: {"id": u.id})
    assert body == {"items": [{"id": users[1].id}, {"id": users[2].id}], "total": 5}
    with app.test_request_context("/api/v1/x"):
        body = paginate_query(select(User.id, User.email).order_by(User.id), lambda r: {"id": r.id})
    assert body["total"] == 5 and len(body["items"]) == 5


def test_page_params_with_another_maximum(app):
    with app.test_request_context("/api/v1/x?limit=20"):
        assert page_params(default=10, maximum=20).limit == 20
    with app.test_request_context("/api/v1/x?limit=21"), pytest.raises(BadRequest):
        page_params(default=10, maximum=20)


def test_optional_body_may_be_empty(app):
    with app.test_request_context("/api/v1/x", method="POST"):
        assert read_json({"prediction": "integer"}, optional=True) == {"prediction": None}
    with app.test_request_context("/api/v1/x", method="POST", json={"prediction": 3}):
        assert read_json({"prediction": "integer"}, optional=True) == {"prediction": 3}
    with app.test_request_context("/api/v1/x", method="POST", json={"prediction": "3"}), \
            pytest.raises(BadRequest):
        read_json({"prediction": "integer"}, optional=True)


def test_a_deactivated_account_with_a_session_is_anonymous(member_client, member):
    member.active = False
    db.session.commit()
    assert member_client.get("/api/v1/me").status_code == 401
