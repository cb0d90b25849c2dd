"""The congress monitor's pages, through HTTP: terms and schedules, the dashboard at any level,
a congress's plan, steps, results, approval and reopening, targets, the member picker; and every
bad input shown on its field with nothing written."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from conftest import World
from congresses import services
from congresses.models import Congress, Person, ProgressUpdate, Step, Target, Term, Tier
from congresses.services import PersonIn, TierDates
from core.tick import tick

TODAY = date.today()
SCHEDULE = [
    TierDates(Tier.CELL, TODAY - timedelta(days=200), TODAY + timedelta(days=30)),
    TierDates(Tier.GRASSROOTS, TODAY - timedelta(days=150), TODAY + timedelta(days=60)),
    TierDates(Tier.UPPER, TODAY - timedelta(days=100), TODAY + timedelta(days=90)),
    TierDates(Tier.PROVINCIAL, TODAY - timedelta(days=50), TODAY + timedelta(days=120)),
    TierDates(Tier.NATIONAL, TODAY, TODAY + timedelta(days=150)),
]


def d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def term(world: World) -> Term:
    opened = services.term_create(
        by=world.users["central"],
        organiser=world.root,
        name="Nhiệm kỳ 2025–2030",
        first_year=TODAY.year,
        last_year=TODAY.year + 5,
        schedule=SCHEDULE,
    )
    tick()
    return opened


def congress(term: Term, org) -> Congress:
    return Congress.objects.select_related("org", "term").get(term=term, org=org)


def url(name: str, term: Term, org) -> str:
    return reverse(f"congresses:{name}", kwargs={"term_id": term.pk, "code": org.code})


def held(world: World, term: Term, org) -> Congress:
    c = congress(term, org)
    services.congress_plan(
        congress=c, data={"planned_on": TODAY, "summoned": 30}, by=world.users["central"]
    )
    services.congress_advance(
        congress=c, to=Step.HELD, on=TODAY, by=world.users["central"], note="Bỏ qua chuẩn bị"
    )
    return congress(term, org)


COMMITTEE = [
    PersonIn("committee", "secretary", full_name="Nguyễn Văn A", sex="M", birth_year=1970),
    PersonIn("committee", "deputy", full_name="Trần Thị B", sex="F", birth_year=1990),
]


def reported(world: World, term: Term, org) -> Congress:
    c = held(world, term, org)
    services.congress_results(
        congress=c,
        numbers={"present": 28, "committee_decided": 2, "candidates": 2},
        people=COMMITTEE,
        by=world.users["central"],
    )
    services.congress_advance(congress=c, to=Step.REPORTED, on=TODAY, by=world.users["central"])
    tick()
    return congress(term, org)


def errors_of(response) -> str:
    return response.content.decode()


# -- Terms -----------------------------------------------------------------------------------


def test_the_menu_leads_to_the_monitor_of_ones_own_organisation(world: World, term) -> None:
    response = world.client("ward").get(reverse("congresses:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("congresses:index", args=[world.ward.code])
    # A viewer with one term goes straight to its dashboard.
    response = world.client("viewer").get(reverse("congresses:index", args=[world.ward.code]))
    assert response["Location"] == url("dashboard", term, world.ward)
    assert world.client("member").get(reverse("congresses:home")).status_code == 404


def _term_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Nhiệm kỳ 2030–2035",
        "first_year": str(TODAY.year),
        "last_year": str(TODAY.year + 5),
        "report_within_days": "7",
    }
    for s in SCHEDULE:
        data[f"starts_on_{s.tier}"] = d(s.starts_on)
        data[f"deadline_{s.tier}"] = d(s.deadline)
    data.update(overrides)
    return data


def test_an_admin_opens_a_term_with_its_schedule(world: World) -> None:
    client = world.client("city")
    page = client.get(reverse("congresses:index", args=[world.city.code]))
    assert page.status_code == 200 and "Mở nhiệm kỳ mới" in page.content.decode()
    response = client.post(reverse("congresses:index", args=[world.city.code]), _term_post())
    term = Term.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", term, world.city)
    assert term.organiser == world.city and term.schedule.count() == 5
    # Every organisation of the city that holds a congress got one.
    assert Congress.objects.filter(term=term).count() == 6
    listing = client.get(reverse("congresses:index", args=[world.city.code]) + "?all=1")
    assert d(SCHEDULE[0].deadline) in listing.content.decode()


def test_a_schedule_not_bottom_up_is_shown_on_its_field_and_nothing_is_opened(
    world: World,
) -> None:
    bad = _term_post(deadline_grassroots=d(SCHEDULE[0].deadline - timedelta(days=1)))
    response = world.client("city").post(reverse("congresses:index", args=[world.city.code]), bad)
    assert response.status_code == 200
    assert 'data-field="deadline_grassroots"' in errors_of(response)
    assert "từ dưới lên" in errors_of(response)
    assert not Term.objects.exists() and not Congress.objects.exists()
    bad = _term_post(deadline_cell="31/02/2025")
    response = world.client("city").post(reverse("congresses:index", args=[world.city.code]), bad)
    assert 'data-field="deadline_cell"' in errors_of(response)
    assert not Term.objects.exists()


def test_a_tier_left_blank_is_left_out_and_half_a_tier_is_asked_for(world: World) -> None:
    client = world.client("city")
    half = _term_post(deadline_national="", starts_on_provincial="")
    response = client.post(reverse("congresses:index", args=[world.city.code]), half)
    assert 'data-field="starts_on_provincial"' in errors_of(response)
    assert not Term.objects.exists()
    nothing = _term_post(**{f"{k}_{t.value}": "" for t in Tier for k in ("starts_on", "deadline")})
    response = client.post(reverse("congresses:index", args=[world.city.code]), nothing)
    assert "ít nhất một cấp" in errors_of(response) and not Term.objects.exists()
    no_national = _term_post(deadline_national="", starts_on_national="")
    response = client.post(reverse("congresses:index", args=[world.city.code]), no_national)
    assert response.status_code == 302
    assert Term.objects.get().schedule.count() == 4


def test_only_an_admin_opens_a_term(world: World) -> None:
    for persona in ("viewer", "approver"):
        response = world.client(persona).post(
            reverse("congresses:index", args=[world.ward.code]), _term_post()
        )
        assert response.status_code == 404
    assert not Term.objects.exists()


# -- Dashboard -------------------------------------------------------------------------------


def test_the_dashboard_counts_done_due_and_late_per_child_and_drills_down(
    world: World, term
) -> None:
    reported(world, term, world.cell)
    late = congress(term, world.grassroots)
    services.congress_plan(
        congress=late, data={"planned_on": TODAY - timedelta(days=3)}, by=world.users["central"]
    )
    world.grassroots.contact_name, world.grassroots.contact_phone = "Đ/c Hùng", "0903123456"
    world.grassroots.save()
    tick()
    response = world.client("viewer").get(url("dashboard", term, world.ward))
    assert response.status_code == 200
    page = response.content.decode()
    # The ward's subtree: 3 congresses, 1 held, 1 late (the grassroots one, with its contact).
    assert 'data-cg="total">3<' in page and 'data-cg="done">1<' in page
    assert 'data-cg="late">1<' in page
    assert "Quá ngày dự kiến, chưa tổ chức" in page
    assert "Đ/c Hùng" in page and "tel:0903123456" in page
    # Drill-down: the grassroots organisation has its own dashboard; the cell, its congress.
    assert url("dashboard", term, world.grassroots) in page
    cell_page = world.client("viewer").get(url("dashboard", term, world.grassroots))
    assert url("congress", term, world.cell) in cell_page.content.decode()
    # The make-up of what was reported: 1 woman of 2.
    assert "50,0%" in page or "50.0%" in page
    # The chart against the plan, drawn on the server, its numbers as SVG reads them (10.5, never
    # the Vietnamese 10,5).
    import re

    assert "<polyline" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    attributes = re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"', svg)
    assert attributes and all(re.fullmatch(r"-?[0-9.]+", a) for a in attributes), attributes
    # The live part alone, for the stream's refresh.
    live = world.client("viewer").get(url("dashboard", term, world.ward) + "?live=1")
    assert live.status_code == 200 and "<html" not in live.content.decode()
    assert 'data-cg="late">1<' in live.content.decode()


def test_a_unit_held_but_not_reporting_in_time_is_listed_late(world: World, term) -> None:
    c = congress(term, world.grassroots)
    services.congress_plan(congress=c, data={"planned_on": TODAY}, by=world.users["central"])
    # Planned a month ago (the plan's step is dated the day it is written).
    ProgressUpdate.objects.filter(congress=c).update(on=TODAY - timedelta(days=30))
    services.congress_advance(
        congress=c,
        to=Step.HELD,
        on=TODAY - timedelta(days=term.report_within_days + 2),
        by=world.users["central"],
        note="Tổ chức sớm",
    )
    services.congresses_mark_late(today=TODAY)
    tick()
    page = world.client("viewer").get(url("dashboard", term, world.ward)).content.decode()
    assert f"quá {term.report_within_days} ngày chưa báo cáo kết quả" in page
    assert 'data-cg="late">1<' in page
    # The grassroots organisation's own page says its congress is late.
    page = world.client("viewer").get(url("dashboard", term, world.grassroots)).content.decode()
    assert "badge text-bg-danger" in page


def test_the_whole_country_has_its_dashboard(world: World, term) -> None:
    response = world.client("central").get(url("dashboard", term, world.root))
    assert response.status_code == 200
    assert 'data-cg="total">7<' in response.content.decode()
    assert world.city.name in response.content.decode()


def test_the_dashboard_reads_counters_not_congresses(world: World, term) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("central")
    queries = {}
    for org in (world.root, world.city, world.ward, world.grassroots):
        client.get(url("dashboard", term, org) + "?live=1")
        with CaptureQueriesContext(connection) as ctx:
            client.get(url("dashboard", term, org) + "?live=1")
        queries[org.code] = [q["sql"] for q in ctx.captured_queries]
    # The whole country costs what a grassroots organisation does: a fixed number of reads.
    counts = {code: len(sqls) for code, sqls in queries.items()}
    # (the breadcrumb's ancestors add a read or two with depth, never with breadth)
    assert counts[world.root.code] == min(counts.values()), counts
    assert max(counts.values()) - min(counts.values()) <= 3, counts
    assert max(counts.values()) <= 25, counts
    # Congresses are read only as the children's own and the late ones, never summed.
    for sqls in queries.values():
        for sql in sqls:
            assert not ("congresses_congress" in sql and ("COUNT(" in sql or "SUM(" in sql)), sql


def test_the_dashboard_page_reads_each_thing_once_at_every_level(world: World, term) -> None:
    """The whole page (not only its live part) at the root, a province and a ward: the term,
    its schedule, the counters (of the organisation and its children together) and the
    congresses (its own and its children's) each read once, in a number of queries that does
    not grow with the children."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reported(world, term, world.cell)
    client = world.client("central")
    counts = {}
    for org in (world.root, world.city, world.ward):
        client.get(url("dashboard", term, org))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("dashboard", term, org))
        assert response.status_code == 200
        sqls = [q["sql"] for q in ctx.captured_queries]
        counts[org.code] = len(sqls)

        def reading(table: str, sqls: list[str] = sqls) -> int:
            return sum(1 for sql in sqls if sql.lstrip("(").startswith("SELECT") and table in sql)

        assert reading('FROM "congresses_term"') == 1, sqls
        assert reading('FROM "congresses_tierschedule"') == 1, sqls
        assert reading('FROM "orgs_orgcount"') == 1, sqls
        # Its own and its children's congresses, then the late children's with their contacts.
        assert reading('FROM "congresses_congress"') == 2, sqls
    assert max(counts.values()) - min(counts.values()) <= 2, counts
    assert max(counts.values()) <= 18, counts


def test_the_childrens_table_escapes_what_it_shows(world: World, term) -> None:
    world.grassroots.name = 'Đảng bộ <b>"Trường" & Co</b>'
    world.grassroots.save()
    page = world.client("viewer").get(url("dashboard", term, world.ward)).content.decode()
    assert "Đảng bộ &lt;b&gt;&quot;Trường&quot; &amp; Co&lt;/b&gt;" in page
    assert "<b>" not in page


def test_a_target_is_compared_on_the_dashboard(world: World, term) -> None:
    reported(world, term, world.cell)
    services.target_set(
        by=world.users["central"], term=term, org=world.root, key="women", percent=60
    )
    tick()
    page = world.client("ward").get(url("dashboard", term, world.ward)).content.decode()
    assert "≥ 60%" in page and "text-danger fw-semibold" in page


def test_the_dashboard_links_the_reports_of_its_own_organisation(world: World, term) -> None:
    page = world.client("ward").get(url("dashboard", term, world.ward)).content.decode()
    base = f"/congresses/{term.pk}/{world.ward.code}/report"
    assert f'href="{base}.xlsx"' in page and f'href="{base}.pdf"' in page


# -- A congress: plan, steps -----------------------------------------------------------------


def test_an_official_plans_the_congress(world: World, term) -> None:
    client = world.client("secretary")
    page = client.get(url("congress", term, world.cell))
    assert page.status_code == 200 and "Lên kế hoạch" in page.content.decode()
    response = client.post(
        url("congress", term, world.cell),
        {
            "action": "plan",
            "plan-ordinal": "1",
            "plan-format": "members",
            "plan-contents": "4",
            "plan-pilot": "on",
            "plan-planned_on": d(TODAY + timedelta(days=10)),
            "plan-planned_committee_size": "3",
            "plan-summoned": "25",
        },
    )
    assert response.status_code == 302
    c = congress(term, world.cell)
    assert c.step == Step.SCHEDULED and c.pilot and c.summoned == 25 and c.ordinal == 1


def test_a_plan_dated_outside_the_term_is_refused_on_its_field(world: World, term) -> None:
    response = world.client("secretary").post(
        url("congress", term, world.cell),
        {
            "action": "plan",
            "plan-ordinal": "1",
            "plan-format": "members",
            "plan-contents": "4",
            "plan-planned_on": d(date(TODAY.year + 9, 1, 1)),
        },
    )
    assert response.status_code == 400
    assert 'data-field="planned_on"' in errors_of(response)
    c = congress(term, world.cell)
    assert c.step == Step.NOT_SCHEDULED and c.planned_on is None and c.ordinal is None


def test_a_skipped_step_needs_a_reason_and_a_date_after_the_last_one(world: World, term) -> None:
    client = world.client("secretary")
    c = congress(term, world.cell)
    services.congress_plan(congress=c, data={"planned_on": TODAY}, by=world.users["secretary"])
    post = {"action": "step", "step-to": "held", "step-on": d(TODAY), "step-note": ""}
    response = client.post(url("congress", term, world.cell), post)
    assert response.status_code == 400
    assert 'data-field="note"' in errors_of(response) and "ghi lý do" in errors_of(response)
    assert congress(term, world.cell).step == Step.SCHEDULED
    ahead = {**post, "step-note": "Gộp bước", "step-on": d(TODAY + timedelta(days=2))}
    response = client.post(url("congress", term, world.cell), ahead)
    assert 'data-field="on"' in errors_of(response)
    before = {**post, "step-to": "preparing", "step-on": d(TODAY - timedelta(days=1))}
    response = client.post(url("congress", term, world.cell), before)
    assert 'data-field="on"' in errors_of(response) and "bước trước" in errors_of(response)
    outside = {**post, "step-to": "preparing", "step-on": d(date(TODAY.year - 3, 1, 1))}
    response = client.post(url("congress", term, world.cell), outside)
    assert 'data-field="on"' in errors_of(response) and "trong nhiệm kỳ" in errors_of(response)
    assert ProgressUpdate.objects.filter(congress=c).count() == 1
    ok = {**post, "step-note": "Chuẩn bị xong từ trước"}
    assert client.post(url("congress", term, world.cell), ok).status_code == 302
    page = client.get(url("congress", term, world.cell)).content.decode()
    assert "Chuẩn bị xong từ trước" in page and 'data-step="held"' in page


def test_a_viewer_sees_the_congress_but_changes_nothing(world: World, term) -> None:
    client = world.client("viewer")
    page = client.get(url("congress", term, world.cell)).content.decode()
    assert "step-form" not in page and "plan-form" not in page
    response = client.post(
        url("congress", term, world.cell),
        {"action": "step", "step-to": "scheduled", "step-on": d(TODAY)},
    )
    assert response.status_code == 404
    assert world.client("viewer").get(url("results", term, world.cell)).status_code == 404


# -- Results ---------------------------------------------------------------------------------


def _results_post(**overrides: str) -> dict[str, str]:
    data = {
        "summoned": "30",
        "present": "28",
        "committee_decided": "3",
        "candidates": "3",
        "cm-count": "3",
        "cm-0-full_name": "Nguyễn Văn A",
        "cm-0-role": "secretary",
        "cm-0-sex": "M",
        "cm-0-birth_year": "1970",
        "cm-0-reelected": "on",
        "cm-0-local": "on",
        "cm-0-direct": "on",
        "cm-1-full_name": "Trần Thị B",
        "cm-1-role": "deputy",
        "cm-1-sex": "F",
        "cm-1-birth_year": "1990",
        "cm-1-local": "on",
        "cm-2-full_name": "",
        "cm-2-role": "member",
        "ins-count": "1",
        "ins-0-full_name": "Lò Văn C",
        "ins-0-role": "chair",
        "ins-0-sex": "M",
        "ins-0-birth_year": "1980",
        "ins-0-minority": "1",
        "dl-count": "1",
        "dl-0-full_name": "Trần Thị B",
        "dl-0-role": "elected",
        "dl-0-sex": "F",
        "dl-0-birth_year": "1990",
    }
    data.update(overrides)
    return data


def test_results_are_entered_and_reported_with_shares_computed(world: World, term) -> None:
    held(world, term, world.cell)
    client = world.client("secretary")
    page = client.get(url("results", term, world.cell))
    assert page.status_code == 200 and "cm-count" in page.content.decode()
    member = world.members[1]
    post = _results_post(
        **{
            "cm-2-member": str(member.pk),
            "cm-2-full_name": member.full_name,
            "cm-2-role": "member",
            "report": "1",
            "report_on": d(TODAY),
        }
    )
    response = client.post(url("results", term, world.cell), post)
    assert response.status_code == 302, errors_of(response)
    c = congress(term, world.cell)
    assert c.step == Step.REPORTED and c.present == 28
    people = list(Person.objects.filter(congress=c, body="committee").order_by("id"))
    assert [p.full_name for p in people] == ["Nguyễn Văn A", "Trần Thị B", member.full_name]
    assert people[2].member == member and people[2].birth_year == member.birth_date.year
    shown = client.get(url("congress", term, world.cell)).content.decode()
    women = round(100 * sum(p.sex == "F" for p in people) / 3, 1)
    # Computed from the people, written the Vietnamese way (33,3%).
    assert f'data-share="women">{women}%'.replace(".", ",") in shown
    assert 'data-share="surplus">0,0%' in shown


def test_more_present_than_summoned_is_refused_on_its_field(world: World, term) -> None:
    held(world, term, world.cell)
    response = world.client("secretary").post(
        url("results", term, world.cell), _results_post(present="31")
    )
    assert response.status_code == 400
    assert 'data-field="present"' in errors_of(response)
    assert not Person.objects.exists() and congress(term, world.cell).present is None


def test_more_elected_than_decided_is_refused(world: World, term) -> None:
    held(world, term, world.cell)
    response = world.client("secretary").post(
        url("results", term, world.cell),
        _results_post(committee_decided="1", candidates="1"),
    )
    assert response.status_code == 400
    assert "nhiều hơn số đại hội quyết định" in errors_of(response)
    assert not Person.objects.exists() and congress(term, world.cell).committee_decided is None


def test_a_surplus_over_30_percent_is_refused_on_its_field(world: World, term) -> None:
    held(world, term, world.cell)
    response = world.client("secretary").post(
        url("results", term, world.cell), _results_post(candidates="9")
    )
    assert 'data-field="candidates"' in errors_of(response)
    assert not Person.objects.exists()


def test_a_member_from_outside_the_subtree_is_refused_on_their_row(world: World, term) -> None:
    held(world, term, world.cell)
    stranger = world.stranger
    post = _results_post(**{"cm-2-member": str(stranger.pk), "cm-2-full_name": stranger.full_name})
    # The city sees the stranger, yet they are not of the cell's subtree: the service refuses.
    response = world.client("city").post(url("results", term, world.cell), post)
    assert response.status_code == 400
    assert 'data-field="cm-2"' in errors_of(response)
    assert "không phải đảng viên của" in errors_of(response)
    # The cell's secretary does not even see them.
    response = world.client("secretary").post(url("results", term, world.cell), post)
    assert "Không tìm thấy đảng viên này trong phạm vi của bạn" in errors_of(response)
    assert not Person.objects.exists()


def test_a_members_name_typed_in_full_is_them_as_without_javascript(world: World, term) -> None:
    held(world, term, world.cell)
    member = world.members[2]  # the only one of that name in the cell
    post = _results_post(**{"cm-2-full_name": member.full_name.upper(), "cm-2-role": "member"})
    response = world.client("secretary").post(url("results", term, world.cell), post)
    assert response.status_code == 302, errors_of(response)
    assert Person.objects.get(congress__org=world.cell, full_name=member.full_name).member == member


def test_a_name_several_members_bear_asks_to_choose(world: World, term) -> None:
    from conftest import person
    from members.services import member_create

    held(world, term, world.cell)
    twin = member_create(org=world.cell, data=person(5))  # "Nguyễn Văn An" again
    assert twin.full_name == world.members[0].full_name
    post = _results_post(**{"cm-2-full_name": twin.full_name, "cm-2-role": "member"})
    response = world.client("secretary").post(url("results", term, world.cell), post)
    assert response.status_code == 400
    assert 'data-field="cm-2"' in errors_of(response) and "Có 2 đảng viên tên" in errors_of(
        response
    )
    assert not Person.objects.exists()


def test_a_typed_person_needs_sex_and_birth_year(world: World, term) -> None:
    held(world, term, world.cell)
    response = world.client("secretary").post(
        url("results", term, world.cell), _results_post(**{"cm-1-sex": ""})
    )
    assert 'data-field="cm-1"' in errors_of(response) and "giới tính" in errors_of(response)
    response = world.client("secretary").post(
        url("results", term, world.cell), _results_post(**{"cm-1-birth_year": "1850"})
    )
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_reporting_without_a_secretary_writes_nothing(world: World, term) -> None:
    held(world, term, world.cell)
    post = _results_post(**{"cm-0-role": "member", "report": "1", "report_on": d(TODAY)})
    response = world.client("secretary").post(url("results", term, world.cell), post)
    assert response.status_code == 400 and "bí thư" in errors_of(response)
    c = congress(term, world.cell)
    # Neither the results nor the step: the whole post is refused.
    assert c.step == Step.HELD and not Person.objects.exists() and c.present is None


def test_adding_rows_keeps_what_was_typed_and_saves_nothing(world: World, term) -> None:
    held(world, term, world.cell)
    response = world.client("secretary").post(
        url("results", term, world.cell), _results_post(add="cm")
    )
    page = errors_of(response)
    assert response.status_code == 200 and 'name="cm-5-full_name"' in page
    assert "Trần Thị B" in page and not Person.objects.exists()


def test_a_two_content_congress_enters_the_appointed_committee(world: World, term) -> None:
    c = congress(term, world.cell)
    services.congress_plan(congress=c, data={"contents": 2}, by=world.users["central"])
    held(world, term, world.cell)
    client = world.client("secretary")
    assert (
        "Cấp uỷ do cấp trên chỉ định"
        in client.get(url("results", term, world.cell)).content.decode()
    )
    post = _results_post(**{"report": "1", "report_on": d(TODAY)})
    assert client.post(url("results", term, world.cell), post).status_code == 302
    committee = Person.objects.filter(congress=c, body="committee")
    assert committee.count() == 2 and all(p.appointed for p in committee)


def test_a_three_content_congress_elects_no_committee(world: World, term) -> None:
    c = congress(term, world.cell)
    services.congress_plan(congress=c, data={"contents": 3}, by=world.users["central"])
    held(world, term, world.cell)
    client = world.client("secretary")
    page = client.get(url("results", term, world.cell)).content.decode()
    assert 'data-section="cm"' not in page and 'data-section="dl"' in page
    post = {k: v for k, v in _results_post().items() if not k.startswith("cm-")}
    post.update({"committee_decided": "", "candidates": "", "report": "1", "report_on": d(TODAY)})
    response = client.post(url("results", term, world.cell), post)
    assert response.status_code == 302, errors_of(response)
    assert congress(term, world.cell).step == Step.REPORTED


def test_a_forged_row_count_names_no_page(world: World, term) -> None:
    held(world, term, world.cell)
    client = world.client("secretary")
    for count in ("999", "-1", "x", "٣"):
        response = client.post(
            url("results", term, world.cell), _results_post(**{"cm-count": count})
        )
        assert response.status_code == 404, count
    assert not Person.objects.exists()


def test_results_before_the_congress_is_held_are_not_offered(world: World, term) -> None:
    page = world.client("secretary").get(url("results", term, world.cell)).content.decode()
    assert "results-form" not in page and "Đã tổ chức" in page


# -- Approval --------------------------------------------------------------------------------


def test_the_parent_approves_after_its_children_and_reopens_with_a_reason(
    world: World, term
) -> None:
    reported(world, term, world.grassroots)
    client = world.client("approver")
    page = client.get(url("congress", term, world.grassroots)).content.decode()
    # The grassroots organisation's own cell is still open: named, and approval refused.
    assert 'id="still-open"' in page and world.cell.name in page
    response = client.post(url("congress", term, world.grassroots), {"action": "approve"})
    assert response.status_code == 400
    assert "chưa được chuẩn y" in errors_of(response) and world.cell.name in errors_of(response)
    assert congress(term, world.grassroots).step == Step.REPORTED
    reported(world, term, world.cell)
    assert client.post(url("congress", term, world.cell), {"action": "approve"}).status_code == 302
    response = client.post(
        url("congress", term, world.grassroots),
        {"action": "approve", "approve-note": "QĐ 12-QĐ/ĐU"},
    )
    assert response.status_code == 302
    assert congress(term, world.grassroots).step == Step.APPROVED
    # Locked: no results form, and a post of results is refused, nothing written.
    secretary = world.client("secretary")
    assert "results-form" not in secretary.get(url("results", term, world.cell)).content.decode()
    response = secretary.post(url("results", term, world.cell), _results_post(present="1"))
    assert congress(term, world.cell).present == 28
    # Reopening the cell needs a reason; it reopens the approved level above too.
    response = client.post(url("congress", term, world.cell), {"action": "reopen"})
    assert response.status_code == 400 and 'data-field="reason"' in errors_of(response)
    response = client.post(
        url("congress", term, world.cell), {"action": "reopen", "reopen-reason": "Sai năm sinh"}
    )
    assert response.status_code == 302
    assert congress(term, world.cell).step == Step.REPORTED
    assert congress(term, world.grassroots).step == Step.REPORTED


def test_an_approved_congress_refuses_a_new_plan_and_says_so(world: World, term) -> None:
    reported(world, term, world.cell)
    services.congress_approve(congress=congress(term, world.cell), by=world.users["approver"])
    response = world.client("secretary").post(
        url("congress", term, world.cell),
        {
            "action": "plan",
            "plan-ordinal": "9",
            "plan-format": "members",
            "plan-contents": "4",
            "plan-planned_on": d(TODAY),
        },
    )
    assert response.status_code == 400
    assert 'id="action-errors"' in errors_of(response) and "chuẩn y" in errors_of(response)
    assert congress(term, world.cell).ordinal is None


def test_only_the_parents_approver_approves(world: World, term) -> None:
    reported(world, term, world.cell)
    for persona in ("secretary", "viewer"):
        response = world.client(persona).post(
            url("congress", term, world.cell), {"action": "approve"}
        )
        assert response.status_code == 404
    assert congress(term, world.cell).step == Step.REPORTED


# -- Targets ---------------------------------------------------------------------------------


def test_targets_are_set_and_inherited(world: World, term) -> None:
    response = world.client("central").post(
        url("targets", term, world.root), {"women": "15", "under_40": "10,5", "minority": ""}
    )
    assert response.status_code == 302
    assert Target.objects.count() == 2
    page = world.client("viewer").get(url("targets", term, world.ward)).content.decode()
    assert "Kế thừa từ" in page and world.root.name in page and "10,5%" in page
    assert "targets-form" not in page
    response = world.client("ward").post(url("targets", term, world.ward), {"women": "20"})
    assert response.status_code == 302
    page = world.client("viewer").get(url("targets", term, world.ward)).content.decode()
    assert "Tổ chức này" in page


def test_a_bad_target_is_refused_on_its_field_and_none_is_written(world: World, term) -> None:
    response = world.client("central").post(
        url("targets", term, world.root), {"women": "15", "under_40": "120"}
    )
    assert response.status_code == 400
    assert 'data-field="under_40"' in errors_of(response)
    response = world.client("central").post(url("targets", term, world.root), {"women": "abc"})
    assert 'data-field="women"' in errors_of(response)
    assert not Target.objects.exists()
    assert (
        world.client("viewer").post(url("targets", term, world.ward), {"women": "1"}).status_code
        == 404
    )


# -- Member picker ---------------------------------------------------------------------------


def test_the_member_picker_offers_members_of_the_subtree_only(world: World, term) -> None:
    member, stranger = world.members[0], world.stranger
    client = world.client("city")
    field = "cm-0-full_name"
    found = client.get(
        url("member_pick", term, world.cell), {"field": field, field: member.full_name[:8]}
    ).content.decode()
    assert f'data-id="{member.pk}"' in found
    from audit.models import AuditEvent

    read = AuditEvent.objects.filter(action="member.list").latest("id")
    assert member.pk in read.detail["members"]
    found = client.get(
        url("member_pick", term, world.cell), {"field": field, field: stranger.full_name}
    ).content.decode()
    assert f'data-id="{stranger.pk}"' not in found
    assert world.client("viewer").get(url("member_pick", term, world.cell)).status_code == 404


# -- English on the switch -------------------------------------------------------------------


def test_the_pages_speak_english_on_the_switch(world: World, term) -> None:
    from django.conf import settings
    from django.utils import translation

    reported(world, term, world.cell)
    client = world.client("ward")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("vi"):  # the request's language is not left to later tests
        dashboard = client.get(url("dashboard", term, world.ward)).content.decode()
        page = client.get(url("congress", term, world.cell)).content.decode()
        results = client.get(url("results", term, world.cell)).content.decode()
    assert "Congress monitor" in dashboard and "Committee members: women" in dashboard
    assert "Theo dõi đại hội" not in dashboard and "Cấp uỷ viên nữ" not in dashboard
    assert "Results reported" in page and "Timeline" in page and "Diễn biến" not in page
    assert "Save and report" not in results  # reported already: saving only
    assert "Save the results" in results and "Executive committee" in results


def test_the_dashboard_stream_carries_its_live_part_drawn(world: World, term) -> None:
    from django.core.cache import cache

    from core import live

    cache.clear()
    page = world.client("viewer").get(url("dashboard", term, world.ward)).content.decode()
    stream_url = url("dashboard_live", term, world.ward)
    assert f'data-live-url="{stream_url}"' in page
    assert world.client("outsider").get(stream_url).status_code == 404
    # Opened since a moment before anything was listened to: it starts with the part at once.
    response = world.client("viewer").get(stream_url + "?since=0")
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    try:
        assert next(chunks).startswith(b"retry:")
        event = next(chunks).decode()
    finally:
        response.close()
        live.hub.stop()  # its listener's own connection, before the test database goes
    assert "\nevent: part\n" in event
    html = "\n".join(line[6:] for line in event.splitlines() if line.startswith("data: "))
    assert 'data-cg="late">' in html and "<html" not in html
