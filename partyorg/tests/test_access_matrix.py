"""Every URL of the project, called as every persona: who may see it, and who gets a 404.

URLs are enumerated from the URL conf, so a new URL without a row here fails the suite.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PERSONAS, World, png

ALL = set(PERSONAS)
OFFICIALS_ABOVE_WARD = {"central", "city"}
WARD_ADMINS = {"central", "city", "ward"}
# The ward's approver ranks above an editor: it enters data in the ward's subtree too.
WARD_EDITORS = WARD_ADMINS | {"approver"}
WARD_READERS = WARD_EDITORS | {"viewer"}
CELL_EDITORS = WARD_EDITORS | {"secretary"}
CELL_READERS = CELL_EDITORS | {"viewer"}
# A meeting of the cell: its officials, and its members.
MEETING_READERS = CELL_READERS | {"member"}

# Every official (any grant).
GRANT_HOLDERS_ALL = CELL_READERS

# name -> (kwargs from the world, personas that get 200, the status everyone else gets)
Row = tuple[Callable[[World], dict[str, Any]], set[str], int]
MATRIX: dict[str, Row] = {
    "home": (lambda w: {}, ALL, 200),
    "accounts:login": (lambda w: {}, set(), 302),  # logged-in users are sent on
    "accounts:logout": (lambda w: {}, set(), 405),  # POST only
    "accounts:grants": (lambda w: {}, WARD_ADMINS, 404),
    "accounts:grant_revoke": (lambda w: {"grant_id": 1}, set(), 405),  # POST only, tested below
    "orgs:detail": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    # The organisation picker's suggestions: any official (what it lists is scoped; see
    # orgs/tests/test_org_picker.py).
    "orgs:pick": (lambda w: {}, WARD_READERS | {"secretary"}, 404),
    # A stream of server-sent events: the matrix reads its status, not its endless body.
    "orgs:live": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "orgs:child_create": (lambda w: {"code": w.ward.code}, WARD_EDITORS, 404),
    # The member list as xlsx: masked for a viewer (orgs/tests/test_members_export.py).
    "members:list_export": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "orgs:rename": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:list": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "members:org_move": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:org_merge": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:org_dissolve": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:me": (lambda w: {}, {"member"}, 404),
    "members:detail": (lambda w: {"member_id": w.members[1].pk}, CELL_READERS, 404),
    "members:edit": (lambda w: {"member_id": w.members[1].pk}, CELL_EDITORS, 404),
    "members:event": (
        lambda w: {"member_id": w.members[1].pk, "kind": "transfer"},
        CELL_EDITORS,
        404,
    ),
    "members:create": (lambda w: {"code": w.cell.code}, CELL_EDITORS, 404),
    # Imports: a batch of the cell, uploaded by its secretary (see _batch below).
    "cleaning:batches": (lambda w: {"code": w.cell.code}, CELL_READERS, 404),
    "cleaning:batch": (lambda w: {"batch_id": _batch(w).pk}, CELL_READERS, 404),
    "cleaning:row_edit": (
        lambda w: {"batch_id": _batch(w).pk, "row_id": 1},
        set(),
        405,
    ),  # POST only
    "cleaning:accept_rule": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    "cleaning:cells": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),  # POST only
    "cleaning:mapping": (
        lambda w: {"batch_id": _batch(w).pk, "file_id": _batch(w).files.get().pk},
        CELL_EDITORS,
        404,
    ),
    "cleaning:annotated": (lambda w: {"batch_id": _batch(w).pk}, CELL_EDITORS, 404),
    "cleaning:reupload": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    # The confirmation page (what the commit will do); the confirmed form posts to it.
    "cleaning:commit": (lambda w: {"batch_id": _batch(w).pk}, CELL_EDITORS, 404),
    "cleaning:cancel": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    "cleaning:duplicate": (
        lambda w: {"candidate_id": _candidate(w).pk},
        CELL_READERS,
        404,
    ),
    "campaigns:list": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "campaigns:dashboard": (
        lambda w: {"campaign_id": _campaign(w).pk, "code": w.ward.code},
        WARD_READERS,
        404,
    ),
    "campaigns:export": (
        lambda w: {"campaign_id": _campaign(w).pk, "code": w.ward.code},
        WARD_READERS,
        404,
    ),
    # POST only: who may publish is tested in cleaning/tests/test_campaigns.py.
    "campaigns:publish": (
        lambda w: {"campaign_id": _campaign(w).pk, "code": w.ward.code},
        set(),
        405,
    ),
    # The congress monitor (congresses/tests/test_congress_pages.py tests each page's forms).
    # The menu's entry sends an official to their organisation's monitor.
    "congresses:home": (lambda w: {}, set(), 404),
    "congresses:index": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "congresses:dashboard": (lambda w: _congress_kwargs(w), WARD_READERS, 404),
    # Its live part, as a stream of server-sent events (the matrix reads the status).
    "congresses:dashboard_live": (lambda w: _congress_kwargs(w), WARD_READERS, 404),
    # A term's schedule, moved by the organising level's admins (the term is the root's).
    "congresses:schedule": (
        lambda w: {"term_id": _term(w).pk, "code": w.root.code},
        {"central"},
        404,
    ),
    "congresses:congress": (lambda w: _congress_kwargs(w), WARD_READERS, 404),
    "congresses:targets": (lambda w: _congress_kwargs(w), WARD_READERS, 404),
    # Entering results and picking members: editors of the organisation (or above).
    "congresses:results": (lambda w: _congress_kwargs(w), WARD_EDITORS, 404),
    "congresses:member_pick": (lambda w: _congress_kwargs(w), WARD_EDITORS, 404),
    # The congress reports for the level above (congresses/tests/test_congress_reports.py).
    "congresses:report_xlsx": (
        lambda w: {"term_id": _term(w).pk, "code": w.ward.code},
        WARD_READERS,
        404,
    ),
    "congresses:report_pdf": (
        lambda w: {"term_id": _term(w).pk, "code": w.ward.code},
        WARD_READERS,
        404,
    ),
    # Congress day (elections/tests/): the ward's congress, its voter list and one election,
    # counted and closed (see _election below). The door's check-in: whoever is on the list
    # (the cell's member) and the congress's editors.
    "elections:day": (lambda w: _congress_kwargs(w), WARD_READERS, 404),
    "elections:door": (lambda w: _election_day(w), WARD_EDITORS, 404),
    "elections:checkin": (
        lambda w: {"roll_id": _election(w).congress.roll.pk},
        WARD_EDITORS | {"member"},
        404,
    ),
    # The counting committee's page: its counters (the ward's and the city's admins, named
    # for two delegates) and the congress's editors.
    "elections:counting": (
        lambda w: {"roll_id": _election(w).congress.roll.pk},
        WARD_EDITORS,
        404,
    ),
    "elections:election": (lambda w: {"election_id": _election(w).pk}, WARD_READERS, 404),
    "elections:enter": (lambda w: {"election_id": _election(w).pk}, WARD_EDITORS, 404),
    "elections:verify": (lambda w: {"election_id": _election(w).pk}, WARD_EDITORS, 404),
    "elections:ballots_pdf": (lambda w: {"election_id": _election(w).pk}, WARD_EDITORS, 404),
    "elections:minutes_pdf": (lambda w: {"election_id": _election(w).pk}, WARD_READERS, 404),
    # Cell meetings (meetings/tests/): a meeting of the cell, starting in half an hour, with a
    # paper and an open vote (see _meeting below). POST-only URLs answer GET with 405.
    "meetings:index": (lambda w: {}, {"member"}, 404),
    "meetings:cell": (lambda w: {"code": w.cell.code}, CELL_READERS, 404),
    "meetings:stats": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "meetings:detail": (lambda w: {"meeting_id": _meeting(w).pk}, MEETING_READERS, 404),
    "meetings:checkin": (lambda w: {"meeting_id": _meeting(w).pk}, MEETING_READERS, 404),
    "meetings:qr": (lambda w: {"meeting_id": _meeting(w).pk}, CELL_EDITORS, 404),
    "meetings:attendance": (lambda w: {"meeting_id": _meeting(w).pk}, CELL_EDITORS, 404),
    "meetings:minutes": (lambda w: {"meeting_id": _meeting(w).pk}, CELL_EDITORS, 404),
    "meetings:edit": (lambda w: {"meeting_id": _meeting(w).pk}, CELL_EDITORS, 404),
    "meetings:document": (
        lambda w: {"document_id": _meeting(w).documents.get().pk},
        MEETING_READERS,
        404,
    ),
    "meetings:comment": (lambda w: {"meeting_id": _meeting(w).pk}, set(), 405),
    "meetings:absence": (lambda w: {"meeting_id": _meeting(w).pk}, set(), 405),
    "meetings:close": (lambda w: {"meeting_id": _meeting(w).pk}, set(), 405),
    "meetings:cancel": (lambda w: {"meeting_id": _meeting(w).pk}, set(), 405),
    "meetings:document_add": (lambda w: {"meeting_id": _meeting(w).pk}, set(), 405),
    "meetings:vote_open": (lambda w: {"meeting_id": _meeting(w).pk}, set(), 405),
    "meetings:vote_close": (lambda w: {"vote_id": _meeting(w).votes.get().pk}, set(), 405),
    "meetings:ballot": (lambda w: {"vote_id": _meeting(w).votes.get().pk}, set(), 405),
    "set_language": (lambda w: {}, set(), 302),
    # Login steps: the two-factor pages serve only a password login half-way through (tested in
    # accounts/tests/test_local_login.py); the e-ID pages exist only when an issuer is set
    # (accounts/tests/test_eid_login.py drives them against a real provider).
    "accounts:otp_verify": (lambda w: {}, set(), 404),
    "accounts:otp_setup": (lambda w: {}, set(), 404),
    "accounts:eid_login": (lambda w: {}, set(), 404),
    "accounts:eid_callback": (lambda w: {}, set(), 404),
    "accounts:level2_help": (lambda w: {}, ALL, 200),
    "accounts:data_protection": (lambda w: {}, ALL, 200),
    "api:tokens": (lambda w: {}, WARD_ADMINS, 404),
    "api:token_revoke": (lambda w: {"token_id": 1}, set(), 405),  # POST only
    # The JSON API answers to Bearer tokens, never to a browser session (api/tests/).
    "apiv1:org": (lambda w: {"code": w.ward.code}, set(), 401),
    "apiv1:members": (lambda w: {}, set(), 401),
    "apiv1:changes": (lambda w: {}, set(), 401),
    # The congress API (congresses/tests/test_congress_api.py calls it with tokens).
    "apiv1:congress_terms": (lambda w: {}, set(), 401),
    "apiv1:congress": (lambda w: {"term_id": 1, "code": w.ward.code}, set(), 401),
    "apiv1:congress_children": (lambda w: {"term_id": 1, "code": w.ward.code}, set(), 401),
    "apiv1:congress_step": (lambda w: {"term_id": 1, "code": w.ward.code}, set(), 405),
    "apiv1:congress_plan": (lambda w: {"term_id": 1, "code": w.ward.code}, set(), 405),
    "apiv1:congress_results": (lambda w: {"term_id": 1, "code": w.ward.code}, set(), 405),
    "apiv1:api-root": (lambda w: {}, set(), 404),
    # The API's documents: behind login in production (PARTYORG_API_DOCS_LOGIN), any login.
    "apiv1:openapi-json": (lambda w: {}, ALL, 200),
    "apiv1:openapi-view": (lambda w: {}, ALL, 200),
    # The handbook (handbook/tests/): a member's own pages; any login opens home, documents and
    # notifications (each lists only what is theirs), its record only its member.
    "handbook:home": (lambda w: {}, ALL, 200),
    "handbook:me": (lambda w: {}, {"member"}, 404),
    "handbook:documents": (lambda w: {}, ALL, 200),
    # A document of the ward: its members (the cell's member) and the ward's officials.
    "handbook:document": (
        lambda w: {"document_id": _document(w).pk},
        WARD_READERS | {"member"},
        404,
    ),
    "handbook:document_file": (
        lambda w: {"document_id": _document(w).pk},
        WARD_READERS | {"member"},
        404,
    ),
    "handbook:document_bookmark": (lambda w: {"document_id": _document(w).pk}, set(), 405),
    "handbook:document_studied": (lambda w: {"document_id": _document(w).pk}, set(), 405),
    "handbook:notices": (lambda w: {}, ALL, 200),
    "handbook:notices_read": (lambda w: {}, set(), 405),  # POST only
    "handbook:push_subscribe": (lambda w: {}, set(), 405),  # POST only
    "handbook:activity": (lambda w: {}, set(), 405),  # POST only
    "handbook:manifest": (lambda w: {}, ALL, 200),
    "handbook:sw": (lambda w: {}, ALL, 200),
    # Committees' pages: adoption, the members not yet activated, documents and study rates.
    "handbook:adoption": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "handbook:not_activated": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "handbook:org_documents": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "handbook:document_rates": (
        lambda w: {"code": w.ward.code, "document_id": _document(w).pk},
        WARD_READERS,
        404,
    ),
    # Corrections (corrections/tests/): the member's own pages in the handbook; a request of the
    # cell's member, read by the officials of its subtree; its attachment only by the member and
    # those who handle it (editors and above), never by a viewer or anyone outside.
    "corrections:mine": (lambda w: {}, {"member"}, 404),
    "corrections:mine_new": (lambda w: {}, {"member"}, 404),
    "corrections:mine_detail": (lambda w: {"request_id": _correction(w).pk}, {"member"}, 404),
    "corrections:queue": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "corrections:queue_export": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "corrections:import": (lambda w: {"code": w.ward.code}, WARD_EDITORS, 404),
    "corrections:file": (lambda w: {"member_id": w.members[1].pk}, CELL_EDITORS, 404),
    "corrections:detail": (lambda w: {"request_id": _correction(w).pk}, CELL_READERS, 404),
    "corrections:attachment": (
        lambda w: {"request_id": _correction(w).pk},
        CELL_EDITORS | {"member"},
        404,
    ),
    # Rolling out (rollout/tests/): officials given access by sheet or one at a time (admins),
    # a sheet's dry run (its uploader only), a first-login link (nobody logged in; a bad link
    # 404), coverage at any level, difficulties (the reporter, the province's desk and above),
    # the desks' queues (approvers and above) and the FAQ (any official).
    "rollout:officials": (lambda w: {}, WARD_ADMINS, 404),
    "rollout:sheet_template": (lambda w: {}, WARD_ADMINS, 404),
    "rollout:invite_renew": (lambda w: {"official_id": 1}, set(), 405),  # POST only
    "rollout:sheet": (lambda w: {"upload_id": _sheet(w).pk}, {"ward"}, 404),
    "rollout:first_login": (lambda w: {"secret": "not-a-link"}, set(), 404),
    "rollout:coverage": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "rollout:coverage_export": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "rollout:mine": (lambda w: {}, GRANT_HOLDERS_ALL, 404),
    "rollout:report": (lambda w: {}, GRANT_HOLDERS_ALL, 404),
    "rollout:faq": (lambda w: {}, GRANT_HOLDERS_ALL, 404),
    "rollout:difficulty": (
        lambda w: {"difficulty_id": _difficulty(w).pk},
        {"secretary", "city", "central"},
        404,
    ),
    "rollout:screenshot": (
        lambda w: {"difficulty_id": _difficulty(w).pk},
        {"secretary", "city", "central"},
        404,
    ),
    "rollout:difficulty_act": (lambda w: {"difficulty_id": _difficulty(w).pk}, set(), 405),
    "rollout:queue": (lambda w: {"code": w.ward.code}, WARD_EDITORS, 404),
}

# Entries of the menu that send an official on to their own organisation's page (a redirect),
# and anyone else nowhere.
REDIRECTS_HOME = {"home", "congresses:home"}

# What an anonymous visitor gets where it is not the redirect to the login page.
ANONYMOUS = {
    "accounts:login": 200,
    "set_language": 302,
    "accounts:otp_verify": 404,
    "accounts:otp_setup": 404,
    "accounts:eid_login": 404,
    "accounts:eid_callback": 404,
    "accounts:level2_help": 200,
    "accounts:data_protection": 200,
    "apiv1:org": 401,
    "apiv1:members": 401,
    "apiv1:changes": 401,
    "apiv1:congress_terms": 401,
    "apiv1:congress": 401,
    "apiv1:congress_children": 401,
    "apiv1:congress_step": 405,
    "apiv1:congress_plan": 405,
    "apiv1:congress_results": 405,
    "apiv1:api-root": 404,
    "rollout:first_login": 404,
    # The installable app's manifest and service worker are public files.
    "handbook:manifest": 200,
    "handbook:sw": 200,
}
# Personas who hold grants: at level 1 their grants sleep, and officer pages explain why (403).
GRANT_HOLDERS = {"central", "city", "ward", "viewer", "approver", "secretary"}
# Pages any login opens alike, whatever its level.
ANY_LOGIN = {
    "apiv1:openapi-json",
    "apiv1:openapi-view",
    "handbook:home",
    "handbook:documents",
    "handbook:notices",
}


# A row typed with someone else's CCCD (its leading zero lost, as Excel does): another name,
# another birth day of the same year, so that a page shows the other record only if it says it.
FOREIGN_NAMES = {"out": "Đặng Thị Lan", "in": "Phan Văn Tèo"}


def _upload_with_cccd_of(world: World, member: Any, org: Any, name: str, by: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cleaning.services import batch_create

    born = member.birth_date.replace(month=5, day=5)
    line = f"1,{name},{member.cccd[1:]},{'Nam' if member.sex == 'M' else 'Nữ'},{born:%d/%m/%Y},{member.admission_date:%d/%m/%Y},,"
    content = (
        "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Điện thoại\n"
        + line
        + "\n"
    )
    return batch_create(
        org=org, uploads=[SimpleUploadedFile(f"{name}.csv", content.encode())], by=by
    )


def _batch(world: World) -> Any:
    """One batch of the cell (created once per world), whose row has the CCCD of a member of
    another ward: a pair the city decides."""
    if not hasattr(world, "_batch"):
        batch = _upload_with_cccd_of(
            world, world.stranger, world.cell, FOREIGN_NAMES["out"], world.users["secretary"]
        )
        setattr(world, "_batch", batch)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_batch")  # noqa: B009


def _incoming(world: World) -> Any:
    """A batch of the other ward's cell whose row has the CCCD of a member of the cell."""
    if not hasattr(world, "_incoming"):
        batch = _upload_with_cccd_of(
            world, world.members[1], world.other_cell, FOREIGN_NAMES["in"], None
        )
        setattr(world, "_incoming", batch)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_incoming")  # noqa: B009


def _campaign(world: World) -> Any:
    if not hasattr(world, "_campaign"):
        from datetime import timedelta

        from django.utils import timezone

        from campaigns.services import campaign_create

        today = timezone.localdate()
        campaign = campaign_create(
            root=world.city,
            name="Đợt",
            starts_on=today,
            ends_on=today + timedelta(days=9),
            milestones=[("Gửi", today + timedelta(days=5), "submitted")],
        )
        setattr(world, "_campaign", campaign)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_campaign")  # noqa: B009


def _document(world: World) -> Any:
    """A study document the ward published (once per world)."""
    if not hasattr(world, "_document"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from handbook.services import document_publish

        document = document_publish(
            org=world.ward,
            upload=SimpleUploadedFile("nq.pdf", b"%PDF-1.4\n%%EOF\n"),
            title="Nghị quyết",
            kind="resolution",
            study=True,
            by=world.users["ward"],
        )
        setattr(world, "_document", document)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_document")  # noqa: B009


def _correction(world: World) -> Any:
    """A correction request of the cell's member, with a photo (once per world)."""
    if not hasattr(world, "_correction"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from corrections.services import request_file

        request = request_file(
            member=world.members[0],
            field="phone",
            proposed="0912345678",
            reason="Số mới",
            attachment=SimpleUploadedFile("anh.png", png()),
            by=world.users["member"],
        )
        setattr(world, "_correction", request)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_correction")  # noqa: B009


def _term(world: World) -> Any:
    """A congress term opened at the root, every tier open from today (once per world)."""
    if not hasattr(world, "_term"):
        from datetime import timedelta

        from django.utils import timezone

        from congresses.models import Tier
        from congresses.services import TierDates, term_create

        today = timezone.localdate()
        term = term_create(
            by=world.users["central"],
            organiser=world.root,
            name="Nhiệm kỳ",
            first_year=today.year,
            last_year=today.year + 5,
            schedule=[TierDates(t.value, today, today + timedelta(days=90)) for t in Tier],
        )
        setattr(world, "_term", term)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_term")  # noqa: B009


def _congress_kwargs(world: World) -> dict[str, Any]:
    """The ward's congress in the term."""
    return {"term_id": _term(world).pk, "code": world.ward.code}


def _election(world: World) -> Any:
    """The ward's congress's election of one secretary, counted (one ballot, entered by the
    ward's admin, verified by the city's, both named counters) and closed (once per world)."""
    if not hasattr(world, "_election"):
        from congresses.models import Congress
        from elections import services

        congress = Congress.objects.select_related("org", "term").get(
            term=_term(world), org=world.ward
        )
        ward, city = world.users["ward"], world.users["city"]
        roll = services.roll_open(congress=congress, by=ward)
        services.voter_checkin(roll=roll, member=world.members[1], by=ward)
        # The counting committee: two delegates, counting with the two admins' accounts.
        services.counter_add(roll=roll, member=world.members[2], user=ward, by=ward)
        services.counter_add(roll=roll, member=world.members[3], user=city, by=ward)
        election = services.election_create(congress=congress, kind="secretary", seats=1, by=ward)
        services.candidates_set(election=election, members=[world.members[1]], by=ward)
        services.election_start_count(election=election, ballots_issued=1, by=ward)
        kept = [election.candidates.get().pk]
        services.ballot_enter(election=election, number=1, kept=kept, by=ward)
        services.ballot_verify(election=election, number=1, kept=kept, by=city)
        services.election_close(election=election, by=ward)
        setattr(world, "_election", election)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_election")  # noqa: B009


def _election_day(world: World) -> dict[str, Any]:
    """The ward's congress, once its voter list is open (its door has a code to show)."""
    _election(world)
    return _congress_kwargs(world)


def _meeting(world: World) -> Any:
    """A meeting of the cell starting in half an hour, with a paper and an open vote."""
    if not hasattr(world, "_meeting"):
        from meetings.tests.helpers import meeting_with_paper_and_vote

        setattr(world, "_meeting", meeting_with_paper_and_vote(world))  # noqa: B010 - a cache
    return getattr(world, "_meeting")  # noqa: B009


def _sheet(world: World) -> Any:
    """A sheet of officials the ward's admin uploaded, not yet applied (once per world)."""
    if not hasattr(world, "_sheet"):
        from rollout.services import sheet_upload

        sheet = sheet_upload(by=world.users["ward"], name="can-bo.csv", data=b"CCCD\n", ctx=None)
        setattr(world, "_sheet", sheet)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_sheet")  # noqa: B009


def _difficulty(world: World) -> Any:
    """A difficulty the cell's secretary reported, with a screenshot: at the city's desk."""
    if not hasattr(world, "_difficulty"):
        from rollout.services import difficulty_report
        from rollout.tests.test_difficulties import png

        difficulty = difficulty_report(
            by=world.users["secretary"], doing="Họp", description="Lỗi", screenshot=png()
        )
        setattr(world, "_difficulty", difficulty)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_difficulty")  # noqa: B009


def _candidate(world: World) -> Any:
    return _batch(world).candidates.get()


def _names(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


PROJECT_URLS = sorted(n for n in set(_names()) if not n.startswith("admin:"))
ADMIN_URLS = sorted(n for n in set(_names()) if n.startswith("admin:"))


def test_it_has_a_row_for_every_url() -> None:
    assert set(PROJECT_URLS) - set(MATRIX) == set(), "add the new URL to MATRIX"


def client_at_level(world: World, persona: str, level: int) -> Client:
    """A client logged in as an e-ID login of this assurance level would be."""
    client = world.client(persona)
    session = client.session
    session["assurance_level"], session["login_method"] = level, "eid"
    session.save()
    return client


def expected_at_level(name: str, persona: str, level: int) -> int:
    _kwargs, allowed, denied_status = MATRIX[name]
    expected = 200 if persona in allowed else denied_status
    if (
        level < 2
        and persona in GRANT_HOLDERS
        and ANONYMOUS.get(name) != 200
        and name not in ANY_LOGIN
        and expected in (200, 404)
    ):
        return 403
    return expected


@pytest.mark.parametrize("level", [2, 1])
@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_answers_each_persona_as_allowed(world: World, name: str, level: int) -> None:
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    for persona in PERSONAS:
        response = client_at_level(world, persona, level).get(url)
        expected = expected_at_level(name, persona, level)
        if name in REDIRECTS_HOME and response.status_code == 302:
            # Home sends a user with a single subtree (or a member) straight to it.
            expected = 302
        assert response.status_code == expected, (
            f"{persona} at level {level} GET {url}: {response.status_code}, expected {expected}"
        )
        if expected == 403:
            assert "định danh điện tử mức 2" in response.content.decode()


# What each persona sees of a pair across two units, which the city decides: the decider's
# officials see both records; a unit's officials see their own record, and of the other one only
# that it exists and who decides. Identifiers are whole for those who enter data, masked for
# the viewer. (The member and the outsider see none of these pages.)
SEES_BOTH = OFFICIALS_ABOVE_WARD
SEES_FULL_CCCD = CELL_EDITORS


def _shown(page: str, texts: list[str]) -> list[bool]:
    return [text in page for text in texts]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_of_a_pair_only_what_it_may(world: World, persona: str) -> None:
    from lib.vn.cccd import mask_cccd
    from lib.vn.phones import format_phone_vn

    client = world.client(persona)
    out_batch, in_batch = _batch(world), _incoming(world)
    out_pair, in_pair = out_batch.candidates.get(), in_batch.candidates.get()
    assert out_pair.decider_id == in_pair.decider_id == world.city.id
    stranger, own = world.stranger, world.members[1]
    # The other unit's member, as the cell's upload must not reveal it.
    theirs = [
        stranger.full_name,
        f"{stranger.birth_date:%d/%m/%Y}",
        format_phone_vn(stranger.phone),
        world.other_cell.name,
    ]
    # The other unit's row, as the cell's member's page must not reveal it.
    their_row = [FOREIGN_NAMES["in"], world.other_cell.name, f"{FOREIGN_NAMES['in']}.csv"]
    pages = {
        "pair out": reverse("cleaning:duplicate", args=[out_pair.pk]),
        "pair in": reverse("cleaning:duplicate", args=[in_pair.pk]),
        "batch out": reverse("cleaning:batch", args=[out_batch.pk]),
        "batch in": reverse("cleaning:batch", args=[in_batch.pk]),
        "imports": reverse("cleaning:batches", args=[world.cell.code]),
    }
    allowed = {
        "pair out": CELL_READERS,
        "pair in": CELL_READERS,
        "batch out": CELL_READERS,
        "batch in": SEES_BOTH,
        "imports": CELL_READERS,
    }
    for what, url in pages.items():
        response = client.get(url)
        expected = 200 if persona in allowed[what] else 404
        assert response.status_code == expected, f"{persona} {what}"
        if expected != 200:
            continue
        page = response.content.decode()
        both = persona in SEES_BOTH
        if what in ("pair out", "batch out", "imports"):
            # Of the other ward's member: their name and unit on every page, their birth date
            # and phone on the pair's page, only for the city and above.
            seen = _shown(page, theirs if what == "pair out" else theirs[:1] + theirs[3:])
            assert seen == [both] * len(seen), f"{persona} {what}: {seen}"
            assert both or world.other_ward.name not in page
        if what in ("pair in", "imports"):
            assert _shown(page, their_row[:2]) == [both] * 2, f"{persona} {what}"
        if what == "pair in":
            # The cell's own member: shown to the cell's officials.
            assert own.full_name in page and f"{own.birth_date:%d/%m/%Y}" in page
        if what in ("pair out", "batch out"):
            # The CCCD typed in the cell's own row (and the other record's, the same number).
            full = persona in SEES_FULL_CCCD
            assert (stranger.cccd in page) is full, f"{persona} {what}"
            assert full or mask_cccd(stranger.cccd) in page, f"{persona} {what}"
        if what == "pair in":
            full = persona in SEES_FULL_CCCD
            assert (own.cccd in page) is full and (full or mask_cccd(own.cccd) in page)
        if what in ("pair out", "pair in") and not both:
            assert "cấp trên chung (" + world.city.name + ") quyết định" in page


@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_trusts_force_login_sessions_in_tests_only(world: World, name: str) -> None:
    """The existing tests' force_login sessions carry no level; the suite trusts them as level 2."""
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    for persona in PERSONAS:
        response = world.client(persona).get(url)
        expected = expected_at_level(name, persona, 2)
        if name in REDIRECTS_HOME and response.status_code == 302:
            expected = 302
        assert response.status_code == expected, f"{persona} GET {url}"


@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_sends_anonymous_visitors_to_login(world: World, name: str) -> None:
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    response = world.client("anonymous").get(url)
    if name in ANONYMOUS:
        assert response.status_code == ANONYMOUS[name]
    elif name in ("accounts:logout", "accounts:grant_revoke", "api:token_revoke"):
        assert response.status_code in (302, 405)
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The admin site, reached only through our login (accounts/admin_site.py): a superuser whose login
# passed the password step only is sent to the second factor; one whose e-ID login is below the
# officer level is told how to get level 2; one who passed the second factor (or an e-ID at level
# 2) opens it. Everyone else gets what they get for any page they lack.
SUPERUSERS = ["superuser_password", "superuser_2fa", "superuser_eid1", "superuser_eid2"]
# What an opened admin answers where it is not 200 (or a redirect back into the admin).
ADMIN_OPENED = {
    "admin:logout": 405,  # POST only
    "admin:autocomplete": 403,  # without its parameters
    "admin:view_on_site": 404,  # no model here has a page of its own
    # Read-only models: their changes go through services, with audit rows.
    **{
        f"admin:{model}_{action}": 403
        for model in (
            "audit_auditevent",
            "members_member",
            "orgs_org",
            "django_tasks_database_dbtaskresult",
        )
        for action in ("add", "delete")
    },
    # The election rules are a versioned table: a new row per regulation, never a deletion.
    "admin:elections_rulebook_delete": 403,
    # Nobody reads another person's TOTP secret (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": 403,
    "admin:otp_totp_totpdevice_qrcode": 403,
}


def _admin_url(name: str) -> str | None:
    """The admin URL `name`, pointing at an existing row of its model where it names one."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    object_id = "1"
    parts = name.removeprefix("admin:").split("_")
    # "<app label>_<model>_<action>", each part possibly with underscores of its own.
    names = [
        ("_".join(parts[:split]), "_".join(parts[split:end]))
        for split in range(1, len(parts))
        for end in range(split + 1, len(parts))
    ]
    for label, model_name in names:
        try:
            model = apps.get_model(label, model_name)
        except (LookupError, ValueError):
            continue
        if model._meta.swapped:  # auth.User: the project's user model stands in its admin
            model = get_user_model()
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        object_id = str(first) if first is not None else "1"
        break
    for kwargs in (
        {},
        {"object_id": object_id},
        {"id": object_id},
        {"pk": object_id},
        {"app_label": "orgs"},
        {"content_type_id": "1", "object_id": "1"},
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:
            continue
    return None


def _superuser_client(world: World, kind: str) -> Client:
    """A client of the world's superuser, logged in as `kind` says, through our login pages."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from conftest import PASSWORD

    root = User.objects.filter(username="root").first() or User.objects.create_superuser(
        username="root", password=PASSWORD
    )
    device = TOTPDevice.objects.get_or_create(user=root, name="phone", confirmed=True)[0]
    client = Client()
    if kind.startswith("superuser_eid"):
        client.force_login(root)
        session = client.session
        session["assurance_level"], session["login_method"] = int(kind[-1]), "eid"
        session.save()
        return client
    client.post("/accounts/login/", {"username": "root", "password": PASSWORD})
    if kind == "superuser_2fa":
        # A fresh device each test: its code of this time step has not been used yet.
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        done = client.post("/accounts/2fa/", {"token": f"{totp.token():0{device.digits}d}"})
        assert done.status_code == 302, "the second factor was refused"
    return client


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_it_opens_the_admin_site_only_after_the_second_factor(world: World, name: str) -> None:
    url = _admin_url(name)
    if url is None:
        pytest.fail(f"cannot build {name}: teach _admin_url its arguments")
    anonymous = world.client("anonymous").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for level in (None, 2, 1):
        for persona in PERSONAS:
            client = (
                world.client(persona) if level is None else client_at_level(world, persona, level)
            )
            response = client.get(url)
            expected = 403 if level == 1 and persona in GRANT_HOLDERS else 404
            assert response.status_code == expected, f"{persona} at level {level} GET {url}"
    for kind in SUPERUSERS:
        response = _superuser_client(world, kind).get(url)
        where = response.get("Location", "")
        if kind == "superuser_password":
            assert response.status_code == 302 and where.startswith("/accounts/2fa/"), kind
        elif kind == "superuser_eid1":
            assert response.status_code == 403, kind
            assert "định danh điện tử mức 2" in response.content.decode()
        elif name in ADMIN_OPENED:
            assert response.status_code == ADMIN_OPENED[name], f"{kind} GET {url}"
        else:
            assert response.status_code == 200 or (
                response.status_code == 302 and where.startswith("/admin/")
            ), f"{kind} GET {url}: {response.status_code} {where}"


# API tokens as personas: a read token and a read-write token of the ward, a read token of the
# other ward. (url, token personas that get 200; the others get 404).
TOKENS = {
    "ward-read": ("ward", False),
    "ward-write": ("ward", True),
    "other-read": ("other", False),
}
API_MATRIX: dict[str, tuple[Callable[[World], str], set[str]]] = {
    "org": (lambda w: f"/api/v1/orgs/{w.ward.code}", {"ward-read", "ward-write"}),
    "org inside": (lambda w: f"/api/v1/orgs/{w.cell.code}", {"ward-read", "ward-write"}),
    "org above": (lambda w: f"/api/v1/orgs/{w.city.code}", set()),
    "members": (lambda w: f"/api/v1/members?org={w.ward.code}", {"ward-read", "ward-write"}),
    "members elsewhere": (lambda w: f"/api/v1/members?org={w.other_ward.code}", {"other-read"}),
    "changes": (lambda w: "/api/v1/changes", set(TOKENS)),
}


def _token_secrets(world: World) -> dict[str, str]:
    from datetime import timedelta

    from django.utils import timezone

    from access.services import api_token_create

    secrets = {}
    for name, (where, write) in TOKENS.items():
        _token, secrets[name] = api_token_create(
            by=world.users["city"],
            org=world.ward if where == "ward" else world.other_ward,
            name=name,
            can_write=write,
            expires_at=timezone.now() + timedelta(days=1),
        )
    return secrets


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_each_api_token_reads_only_its_subtree(world: World, name: str) -> None:
    secrets = _token_secrets(world)
    url_of, allowed = API_MATRIX[name]
    for persona, secret in secrets.items():
        response = Client().get(url_of(world), headers={"Authorization": f"Bearer {secret}"})
        expected = 200 if persona in allowed else 404
        assert response.status_code == expected, f"{persona} GET {url_of(world)}"


def test_a_read_token_sees_masked_numbers_and_cannot_search_their_first_digits(
    world: World,
) -> None:
    secrets = _token_secrets(world)
    member = world.members[1]
    for persona, full in (("ward-read", False), ("ward-write", True)):
        headers = {"Authorization": f"Bearer {secrets[persona]}"}
        by_prefix = Client().get(
            f"/api/v1/members?org={world.ward.code}&q={member.cccd[:8]}", headers=headers
        )
        found = [m["id"] for m in by_prefix.json()["items"]]
        assert (member.pk in found) is full, persona
        whole = (
            Client()
            .get(f"/api/v1/members?org={world.ward.code}&q={member.cccd}", headers=headers)
            .json()["items"]
        )
        assert [m["id"] for m in whole] == [member.pk]
        assert (whole[0]["cccd"] == member.cccd) is full
