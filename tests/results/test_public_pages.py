"""The public results pages: nothing before publication, the frozen awards by tier with names masked as the contest
says, sharing and printing, the winners' entries only with their writers' consent (as judged), quiz leaderboards."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest.extensions import db
from tests.judging_factories import COAUTHOR_NAME, gen_world
from tests.quiz_factories import T0
from tests.results.test_issuing import publish, quiz_world, settings_of


@pytest.fixture
def world(app):
    w = gen_world(entries=4, judges=1)
    w.entries[0].publish_consent = True
    w.entries[2].publish_consent = False
    db.session.commit()
    return w


def awards_of(w):
    return [{"tier": "first", "entry": w.entries[0]}, {"tier": "second", "entry": w.entries[2]},
            {"tier": "special", "entry": w.entries[1], "label": "Giải Tác phẩm lan tỏa"}]


def text_of(resp) -> str:
    return resp.get_data(as_text=True)


def test_nothing_is_shown_before_publication(client, world):
    assert client.get(f"/contests/{world.contest.slug}/results").status_code == 404
    assert client.get(f"/contests/{world.contest.slug}/results/entries/{world.entries[0].code}").status_code == 404
    assert client.get("/contests/no-such-contest/results").status_code == 404


def test_published_awards_by_tier_with_names_masked(client, world):
    publish(world.contest, awards_of(world), world.organiser, masking="partial")
    resp = client.get(f"/contests/{world.contest.slug}/results")
    assert resp.status_code == 200
    html = text_of(resp)
    # Tier order: special, first, second.
    positions = [html.index(f'data-testid="tier-{tier}"') for tier in ("special", "first", "second")]
    assert positions == sorted(positions)
    writer0, writer1 = world.writers[0].full_name, world.writers[1].full_name
    assert writer0 not in html and COAUTHOR_NAME not in html and writer1 not in html
    assert "Hoàng T. M. L., Vũ T. H. D." in html  # the author and the co-author, each masked
    assert "Đỗ Q. V." in html
    assert "Giải Tác phẩm lan tỏa" in html and world.units[0].name in html
    assert world.entries[0].title in html
    published = re.search(r'data-testid="published-at">([^<]*)<', html).group(1)
    assert "08:00" in published and "29" in published  # 01:00 UTC on 29 May is 08:00 in Hà Nội
    # Shared and printed well: OpenGraph and Twitter titles, the stylesheet with the print rules, a print button.
    assert re.search(r'<meta property="og:title" content="[^"]*' + re.escape(world.contest.title), html)
    assert '<meta name="twitter:card"' in html and "css/results.css" in html and "js/results-print.js" in html
    assert "data-print" in html and "<script>" not in html


def test_masking_follows_the_contest_setting_now(client, world):
    publish(world.contest, awards_of(world), world.organiser, masking="initials")
    html = text_of(client.get(f"/contests/{world.contest.slug}/results"))
    assert "H. T. M. L." in html and world.writers[0].full_name not in html
    settings_of(world.contest, name_masking="none")
    db.session.commit()
    assert world.writers[0].full_name in text_of(client.get(f"/contests/{world.contest.slug}/results"))


def test_a_winning_entry_is_shown_as_judged_only_with_consent(client, world):
    publish(world.contest, awards_of(world), world.organiser, masking="partial")
    consenting, refusing, not_awarded = world.entries[0], world.entries[2], world.entries[3]
    submitted_body = consenting.body_html
    consenting.body_html = "<p>Bản sửa sau khi chấm, không ai được thấy.</p>"  # the working copy moved on
    db.session.commit()
    html = text_of(client.get(f"/contests/{world.contest.slug}/results"))
    link = f"/contests/{world.contest.slug}/results/entries/{consenting.code}"
    assert f'href="{link}"' in html
    assert f"/results/entries/{refusing.code}" not in html

    resp = client.get(link)
    assert resp.status_code == 200
    page = text_of(resp)
    assert submitted_body in page and "không ai được thấy" not in page
    assert consenting.title in page and "Nguyễn Văn Lâm" in page
    assert "Hoàng T. M. L." in page and world.writers[0].full_name not in page

    for entry in (refusing, not_awarded):
        assert client.get(f"/contests/{world.contest.slug}/results/entries/{entry.code}").status_code == 404
    assert client.get(f"/contests/{world.contest.slug}/results/entries/VT26-999999").status_code == 404
    consenting.publish_consent = False  # consent withdrawn after publication: the text goes
    db.session.commit()
    assert client.get(link).status_code == 404


def test_unpublished_again_is_404_and_drafts_stay_hidden(client, world):
    publish(world.contest, awards_of(world), world.organiser)
    settings_of(world.contest, published_at=None)
    from sqlalchemy import update

    from contest.results.models import Publication
    db.session.execute(update(Publication).values(ended_at=T0 + timedelta(days=11), end_reason="unpublished"))
    db.session.commit()
    assert client.get(f"/contests/{world.contest.slug}/results").status_code == 404
    publish(world.contest, awards_of(world), world.organiser)
    world.contest.status = "draft"
    db.session.commit()
    assert client.get(f"/contests/{world.contest.slug}/results").status_code == 404


def test_a_quiz_contest_links_to_its_published_leaderboards(client, app):
    w = quiz_world()
    publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]},
                           {"tier": "consolation", "unit": w["unit"]}], w["organiser"], masking="partial")
    html = text_of(client.get(f"/contests/{w['contest'].slug}/results"))
    assert f"/rounds/{w['round'].id}/leaderboard" in html and f"/rounds/{w['round'].id}/units" in html
    assert "Nguyễn T. Á. T." in html and "Nguyễn Thị Ánh Tuyết" not in html
    assert "Phường Ba Đình" in html and "Tuần 1" in html
    assert "/results/entries/" not in html


def test_through_the_publishing_services(client, world):
    """The real flow: awards set and published by contest.results.services, which issues the certificates."""
    from contest.results import services as results

    results.update_settings(world.contest, {"name_masking": "partial"}, world.organiser)
    results.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[0].code}], world.organiser)
    results.publish_contest(world.contest, world.organiser, now=T0 + timedelta(days=2))
    db.session.commit()
    [item] = results.published_results(world.contest)["awards"]
    assert len(item["certificate_codes"]) == 2  # the author and the co-author
    html = text_of(client.get(f"/contests/{world.contest.slug}/results"))
    assert "Hoàng T. M. L., Vũ T. H. D." in html and world.writers[0].full_name not in html
    for code in item["certificate_codes"]:
        assert client.get(f"/verify/{code}").status_code == 200

    # Published again with one more award: the first award's certificates keep their codes.
    results.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[0].code},
                                       {"tier": "third", "entry_code": world.entries[1].code}], world.organiser)
    results.publish_contest(world.contest, world.organiser, now=T0 + timedelta(days=3))
    db.session.commit()
    first, third = results.published_results(world.contest)["awards"]
    assert first["certificate_codes"] == item["certificate_codes"] and len(third["certificate_codes"]) == 1

    results.unpublish_contest(world.contest, world.organiser)
    db.session.commit()
    assert client.get(f"/contests/{world.contest.slug}/results").status_code == 404
    assert client.get(f"/verify/{item['certificate_codes'][0]}").status_code == 404
