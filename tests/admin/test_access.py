"""Every administration page: 200 for an admin, 403 for everyone else signed in, sign-in for the anonymous."""

from __future__ import annotations

import pytest

from contest.extensions import db
from contest.units.models import Unit
from tests import factories

ADMIN_BLUEPRINTS = ("admin.", "units.")


def admin_urls(app, unit_id: int, user_id: int) -> list[tuple[str, str]]:
    """(method, url) of every route of the administration blueprints, with real ids filled in."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith(ADMIN_BLUEPRINTS):
                continue
            args = {name: (user_id if rule.endpoint.startswith("admin.") else unit_id) for name in rule.arguments}
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((method, rule.build(args, append_unknown=False)[1]))
    return out


def test_the_administration_has_the_expected_pages(app, unit, admin):
    urls = {url for _method, url in admin_urls(app, unit.id, admin.id)}
    assert {"/admin/", "/admin/units/", "/admin/units/new", f"/admin/units/{unit.id}", "/admin/units/import",
            "/admin/units/import/sample.csv", "/admin/users", f"/admin/users/{admin.id}", "/admin/users/import",
            "/admin/users/import/sample.csv", "/admin/audit"} <= urls


def test_an_admin_opens_every_page(app, admin_client, unit, admin):
    for method, url in admin_urls(app, unit.id, admin.id):
        if method == "GET":
            resp = admin_client.get(url)
            assert resp.status_code == 200, url


@pytest.mark.parametrize("client_name", ["member_client", "organiser_client", "judge_client"])
def test_everyone_else_is_refused_everywhere(request, app, client_name, unit):
    client = request.getfixturevalue(client_name)
    other = factories.gen_user(unit=unit)
    routes = admin_urls(app, unit.id, other.id)
    for method, url in routes:
        resp = client.open(url, method=method)
        assert resp.status_code == 403, (method, url)
    # The refused posts neither renamed, moved nor deleted anything.
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).name == "Phường Thạch Bàn"


def test_the_anonymous_are_sent_to_sign_in(app, client, unit, member):
    for method, url in admin_urls(app, unit.id, member.id):
        resp = client.open(url, method=method)
        assert resp.status_code == 302, (method, url)
        assert "/login?next=" in resp.headers["Location"], (method, url)


def test_the_dashboard_counts_and_links(admin_client, unit, member):
    factories.gen_unit("Phường Ngọc Hà")
    html = admin_client.get("/admin/").text
    assert "2 units in the tree." in html
    assert "2 accounts." in html and "1 administrator." in html
    for link in ("/admin/units/", "/admin/users", "/admin/units/import", "/admin/users/import", "/admin/audit"):
        assert f'href="{link}"' in html


def test_the_navigation_shows_administration_to_admins(admin_client):
    assert 'href="/admin/"' in admin_client.get("/").text


def test_the_navigation_hides_administration_from_members(member_client):
    # One client per test: Flask-Login keeps the first request's user in g, which the test's app context shares.
    assert 'href="/admin/"' not in member_client.get("/").text
