"""Through HTTP: the organising level edits a term's schedule tier by tier; the congress page
follows the live layer; the elected people it lists are an audited read of personal data."""

import re
from datetime import timedelta

from django.urls import reverse

from audit.models import AuditEvent
from conftest import World
from congresses.models import Term, Tier, TierSchedule

from .test_congress_pages import SCHEDULE, TODAY, d, held, reported, term, url  # noqa: F401

# -- The schedule ----------------------------------------------------------------------------


def schedule_url(of: Term, org) -> str:
    return reverse("congresses:schedule", kwargs={"term_id": of.pk, "code": org.code})


def post_tier(client, of: Term, org, tier: str, start: str, end: str):
    prefix = f"sc{of.pk}-{tier}"
    return client.post(
        schedule_url(of, org),
        {"tier": tier, f"{prefix}-starts_on": start, f"{prefix}-deadline": end},
    )


def test_the_organising_level_edits_a_tiers_dates_on_the_terms_page(
    world: World,
    term,  # noqa: F811
) -> None:
    client = world.client("central")
    page = client.get(reverse("congresses:index", args=[world.root.code]) + "?all=1")
    html = page.content.decode()
    for tier in Tier:
        assert f'id="schedule-{term.pk}-{tier.value}"' in html
    assert f'action="{schedule_url(term, world.root)}"' in html
    start, end = SCHEDULE[0].starts_on, SCHEDULE[0].deadline.replace(day=1)
    response = post_tier(client, term, world.root, "cell", d(start), d(end))
    assert response.status_code == 302
    assert response["Location"].endswith("?all=1")
    assert TierSchedule.objects.get(term=term, tier="cell").deadline == end
    assert AuditEvent.objects.filter(action="term.schedule").count() == 1


def test_a_bad_date_is_named_by_its_field_and_nothing_is_written(
    world: World,
    term,  # noqa: F811
) -> None:
    client = world.client("central")
    start = d(SCHEDULE[0].starts_on)
    cases = [
        ("cell", start, d(SCHEDULE[0].starts_on - timedelta(days=40)), "deadline"),
        ("cell", "31/02/2025", start, "starts_on"),
        ("cell", start, d(TODAY.replace(year=TODAY.year + 8)), "deadline"),
    ]
    for tier, begin, end, field in cases:
        response = post_tier(client, term, world.root, tier, begin, end)
        assert response.status_code == 400
        html = response.content.decode()
        form = re.search(rf'id="schedule-{term.pk}-{tier}".*?</form>', html, re.S)
        assert form is not None and f'data-field="{field}"' in form.group(0), (begin, end)
    assert TierSchedule.objects.get(term=term, tier="cell").deadline == SCHEDULE[0].deadline
    assert not AuditEvent.objects.filter(action="term.schedule").exists()


def test_only_the_organising_levels_admins_edit_the_schedule(
    world: World,
    term,  # noqa: F811
) -> None:
    for name in ("city", "ward", "approver", "viewer", "secretary", "member"):
        client = world.client(name)
        response = post_tier(client, term, world.root, "cell", d(TODAY), d(TODAY))
        assert response.status_code == 404, name
        # Nor through an organisation of their own.
        if name in ("city", "ward"):
            own = world.city if name == "city" else world.ward
            assert post_tier(client, term, own, "cell", d(TODAY), d(TODAY)).status_code == 404
    page = world.client("city").get(reverse("congresses:index", args=[world.city.code]) + "?all=1")
    assert 'id="schedule-' not in page.content.decode()
    assert TierSchedule.objects.get(term=term, tier="cell").deadline == SCHEDULE[0].deadline


# -- The congress page follows the live layer ------------------------------------------------


def test_the_congress_page_follows_its_organisations_stream(
    world: World,
    term,  # noqa: F811
) -> None:
    client = world.client("viewer")
    page = client.get(url("congress", term, world.grassroots)).content.decode()
    live = reverse("orgs:live", args=[world.grassroots.code])
    assert f'data-live-url="{live}"' in page
    assert f'hx-get="{url("congress", term, world.grassroots)}?live=1"' in page
    assert "data-live-since=" in page
    # Something happens: the fragment (step, plan, results, timeline) tells it, without forms.
    reported(world, term, world.grassroots)
    fragment = client.get(url("congress", term, world.grassroots) + "?live=1")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'data-step="reported"' in html
    assert "Nguyễn Văn A" in html and 'id="cg-timeline"' in html
    assert 'hx-swap-oob="true"' in html
    assert "<form" not in html and "<html" not in html
    # A reload shows the same truth.
    page = client.get(url("congress", term, world.grassroots)).content.decode()
    assert 'data-step="reported"' in page and "Nguyễn Văn A" in page


def test_every_write_to_a_congress_tells_its_organisations_stream(
    world: World,
    term,  # noqa: F811
    monkeypatch,
) -> None:
    from congresses import services

    told: list[list[str]] = []
    monkeypatch.setattr(services, "publish", lambda paths: told.append(list(paths)))
    c = held(world, term, world.grassroots)
    assert [world.grassroots.path] in told
    told.clear()
    # A plan change that changes no counter is told too.
    services.congress_plan(congress=c, data={"ordinal": 3}, by=world.users["central"])
    assert told == [[world.grassroots.path]]


def test_the_live_fragment_is_out_of_scope_a_404(world: World, term) -> None:  # noqa: F811
    response = world.client("secretary").get(url("congress", term, world.ward) + "?live=1")
    assert response.status_code == 404


# -- The elected people are a read of personal data -------------------------------------------


def test_the_elected_people_shown_are_audited_as_a_list_read(
    world: World,
    term,  # noqa: F811
) -> None:
    # Nothing elected yet: nothing personal shown, nothing audited.
    world.client("viewer").get(url("congress", term, world.grassroots))
    assert not AuditEvent.objects.filter(action="congress.people").exists()
    c = reported(world, term, world.grassroots)
    world.client("viewer").get(url("congress", term, world.grassroots))
    event = AuditEvent.objects.get(action="congress.people")
    assert event.actor_id == world.users["viewer"].pk
    assert event.object_id == str(c.pk)
    assert len(event.detail["people"]) == 2
    # The live fragment lists them too: audited as well.
    world.client("viewer").get(url("congress", term, world.grassroots) + "?live=1")
    assert AuditEvent.objects.filter(action="congress.people").count() == 2


def test_the_results_form_shows_the_stored_people_audited(
    world: World,
    term,  # noqa: F811
) -> None:
    c = held(world, term, world.grassroots)
    from congresses import services
    from congresses.services import PersonIn

    member = world.members[0]
    services.congress_results(
        congress=c,
        numbers={"present": 20},
        people=[PersonIn("committee", "secretary", member_id=member.pk)],
        by=world.users["central"],
    )
    response = world.client("ward").get(url("results", term, world.grassroots))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="congress.people")
    assert event.actor_id == world.users["ward"].pk
    # A member among them is found by `partyorg audit member <id>` (detail "members").
    assert event.detail["members"] == [member.pk]
