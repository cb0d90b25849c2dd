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
