"""Every change on congress day: the voter list and check-in, elections, candidates, ballots
(double entry), the tally, and the results passed to the congress monitor. Each write checks the
role, refuses bad input with a Vietnamese message before writing anything, and writes its audit
row in the same transaction.

Secrecy: nothing here ever receives, stores or logs which voter cast which ballot; a ballot is a
number and what it keeps, and the audit log names who entered and who verified it."""

import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.scope import Actor, active_grants, login_level
from accounts.models import User
from audit.services import AuditContext, actor_user, audit_log
from congresses import services as congress_services
from congresses.models import Congress, Person
from congresses.selectors import may_update
from core.live import publish
from lib.checkin import code_accepted
from lib.elections import DELEGATES, MEMBERS, ballot_problem, base_of, candidates_problem, tally
from lib.elections import Voter as VoterFacts
from members.models import Member, Status
from notices.services import notify

from .models import MONITOR_PLACE, Ballot, Candidate, Counter, Election, Roll, Voter, rulebook_on

BALLOT_REASONS = {
    "not_on_list": gettext_lazy("có tên người ngoài danh sách bầu cử"),
    "too_many": gettext_lazy("để lại nhiều tên hơn số lượng cần bầu"),
    "none_kept": gettext_lazy("gạch hết tên trong danh sách bầu cử"),
    "unclear_single": gettext_lazy(
        "danh sách một người mà đánh dấu cả hai cột hoặc không đánh dấu cột nào"
    ),
}


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _not_electable(congress: Congress, member: Member) -> str:
    """Why a member may not be a delegate or a candidate of this congress, or "": only official
    members of the organisation's subtree vote and stand (a probationary member does neither,
    Party Charter, Art. 5)."""
    if not member.is_active or not member.org_path.startswith(congress.org.path):
        return _("%(name)s không phải đảng viên của %(org)s.") % {
            "name": member.full_name,
            "org": congress.org.name,
        }
    if member.status != Status.OFFICIAL:
        return _("%(name)s là đảng viên dự bị: không bầu cử, ứng cử.") % {"name": member.full_name}
    return ""


def _require_editor(by: Actor, congress: Congress) -> None:
    if not may_update(by, congress):
        raise _refuse("congress", _("Bạn không có quyền điều hành bầu cử ở đại hội này."))


def _sent_refusal() -> ValidationError:
    return _refuse(
        "election",
        _("Kết quả đã chuyển sang theo dõi đại hội: không sửa được nữa."),
    )


# -- The voter list and the door -------------------------------------------------------------


def checkin_key(roll: Roll) -> bytes:
    """The key of the roll's rotating code: SECRET_KEY and the roll's own secret."""
    return salted_hmac("elections.checkin", roll.checkin_secret, algorithm="sha256").digest()


def roll_open(*, congress: Congress, by: Actor, ctx: AuditContext | None = None) -> Roll:
    """Open the congress's voter list. At a members' congress it holds the organisation's
    official members at once (an exempted member marked so); at a delegates' congress the
    secretariat adds the delegates (`voter_add`)."""
    _require_editor(by, congress)
    with transaction.atomic():
        if Roll.objects.filter(congress=congress).exists():
            raise _refuse("congress", _("Danh sách đại biểu của đại hội này đã được lập."))
        roll = Roll.objects.create(congress=congress, checkin_secret=secrets.token_hex(16))
        if congress.format == Congress.Format.MEMBERS:
            members = Member.objects.filter(
                org_path__startswith=congress.org.path, status=Status.OFFICIAL
            ).only("pk", "full_name", "exempt")
            Voter.objects.bulk_create(
                [
                    Voter(
                        roll=roll,
                        member=m,
                        full_name=m.full_name,
                        kind=Voter.Kind.EXEMPT if m.exempt else Voter.Kind.ORDINARY,
                    )
                    for m in members
                ]
            )
        audit_log(
            actor=by,
            action="election.roll_open",
            object_type="congress",
            object_id=congress.pk,
            detail={"org": congress.org.code, "voters": roll.voters.count()},
            ctx=ctx,
        )
    return roll


def voter_add(*, roll: Roll, member: Member, by: Actor, ctx: AuditContext | None = None) -> Voter:
    """Put a delegate (or a member) on the list: a member of the organisation's subtree, once."""
    congress = roll.congress
    _require_editor(by, congress)
    problem = _not_electable(congress, member)
    if problem:
        raise _refuse("member", problem)
    try:
        with transaction.atomic():
            voter = Voter.objects.create(roll=roll, member=member, full_name=member.full_name)
            audit_log(
                actor=by,
                action="election.voter_add",
                object_type="congress",
                object_id=congress.pk,
                detail={"member": member.pk},
                ctx=ctx,
            )
    except IntegrityError:
        raise _refuse(
            "member", _("%(name)s đã có tên trong danh sách.") % {"name": member.full_name}
        ) from None
    return voter


def voter_mark(
    *,
    voter: Voter,
    kind: str,
    credentials_ok: bool,
    by: Actor,
    ctx: AuditContext | None = None,
) -> Voter:
    """Record a voter's standing (a temporary transfer, an exemption, a suspension: what the
    base subtracts) and whether the credentials committee checked them."""
    _require_editor(by, voter.roll.congress)
    if kind not in Voter.Kind.values:
        raise _refuse("kind", _("Tình trạng không hợp lệ."))
    if Election.objects.filter(congress=voter.roll.congress, status__in=_CLOSED).exists():
        raise _refuse(
            "kind", _("Đã chốt kết quả một cuộc bầu: danh sách đại biểu không sửa được nữa.")
        )
    with transaction.atomic():
        voter.kind, voter.credentials_ok = kind, credentials_ok
        voter.save(update_fields=["kind", "credentials_ok"])
        audit_log(
            actor=by,
            action="election.voter_mark",
            object_type="congress",
            object_id=voter.roll.congress_id,
            detail={"member": voter.member_id, "kind": kind, "credentials": credentials_ok},
            ctx=ctx,
        )
    return voter


def voter_checkin(
    *,
    roll: Roll,
    member: Member | None,
    by: Actor,
    code: str | None = None,
    ctx: AuditContext | None = None,
) -> Voter:
    """Check a voter in at the door: the delegate scanning the rotating code (`code` given,
    `member` their own record), or the secretariat at its desk (no code, an editor). Someone
    not on the list, and a second check-in, are refused, changing nothing."""
    congress = roll.congress
    now = timezone.now()
    if code is None:
        _require_editor(by, congress)
    elif not code_accepted(checkin_key(roll), roll.pk, code, now.timestamp()):
        raise _refuse(
            "code",
            _("Mã điểm danh đã hết hạn hoặc không đúng. Hãy quét mã đang hiện trên màn hình."),
        )
    voter = Voter.objects.filter(roll=roll, member=member).first() if member is not None else None
    if voter is None:
        raise _refuse(
            "member",
            _(
                "Đồng chí không có tên trong danh sách đại biểu (đảng viên) được triệu tập dự đại hội."
            ),
        )
    with transaction.atomic():
        # Checked in the row itself: two taps at once record one check-in.
        taken = Voter.objects.filter(pk=voter.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checkin_method="desk" if code is None else "qr"
        )
        if not taken:
            raise _refuse(
                "member",
                _("%(name)s đã điểm danh, không cần điểm danh lại.") % {"name": voter.full_name},
            )
        publish([congress.org.path])
        audit_log(
            actor=by,
            action="election.checkin",
            object_type="congress",
            object_id=congress.pk,
            detail={"member": voter.member_id, "method": "desk" if code is None else "qr"},
            ctx=ctx,
        )
    voter.refresh_from_db()
    return voter


def roll_base(roll: Roll, election: Election) -> int:
    """The base of "more than half" for an election: the new committee's size for a post it
    elects, else from the voter list as it stands."""
    if election.kind in Election.BY_COMMITTEE:
        committee = Candidate.objects.filter(
            election__congress=roll.congress,
            election__kind=Election.Kind.COMMITTEE,
            election__status__in=_CLOSED,
            elected=True,
        ).count()
        if committee:
            return committee
    fmt = DELEGATES if roll.congress.format == Congress.Format.DELEGATES else MEMBERS
    voters = [
        VoterFacts(kind=v.kind, present=v.checked_in_at is not None) for v in roll.voters.all()
    ]
    return base_of(fmt, voters, election.rulebook.rules)


# -- The counting committee (ban kiểm phiếu) -------------------------------------------------


def _is_official_near(user: User, congress: Congress) -> bool:
    """Whether the account holds a current grant on the congress's organisation, above it or
    in its subtree: an official's account, which may be named for a delegate whose member
    record has no account of its own."""
    path = congress.org.path
    return any(
        path.startswith(g.org.path) or g.org.path.startswith(path) for g in active_grants(user)
    )


def account_not_found(congress: Congress) -> str:
    """One message for an account that does not exist and one that may not count here, so the
    form tells nobody which user names exist."""
    return _(
        "Không tìm thấy tài khoản cán bộ này ở %(org)s, cấp trên hoặc cấp dưới (hoặc tài khoản "
        "đã gắn với đảng viên khác)."
    ) % {"org": congress.org.name}


def counter_add(
    *,
    roll: Roll,
    member: Member,
    user: User | None = None,
    head: bool = False,
    by: Actor,
    ctx: AuditContext | None = None,
) -> Counter:
    """Name a member of the counting committee, as the congress elected it by a show of
    hands: a delegate on the list, who counts with the account linked to their member record,
    or (none linked) with the official's account named for them. Making one the head makes
    the others not."""
    congress = roll.congress
    _require_editor(by, congress)
    if not roll.voters.filter(member=member).exists():
        raise _refuse(
            "member",
            _(
                "%(name)s không có tên trong danh sách đại biểu: ban kiểm phiếu gồm các đại biểu "
                "(đảng viên) dự đại hội."
            )
            % {"name": member.full_name},
        )
    linked = User.objects.filter(member=member).first()
    if user is None:
        user = linked
        if user is None:
            raise _refuse(
                "user",
                _(
                    "%(name)s chưa có tài khoản gắn với hồ sơ đảng viên: hãy ghi tên đăng nhập "
                    "tài khoản cán bộ mà đồng chí ấy dùng để kiểm phiếu."
                )
                % {"name": member.full_name},
            )
    elif linked is not None and linked.pk != user.pk:
        raise _refuse(
            "user",
            _(
                "%(name)s đã có tài khoản gắn với hồ sơ đảng viên: đồng chí ấy kiểm phiếu bằng tài khoản đó."
            )
            % {"name": member.full_name},
        )
    elif user.member_id not in (None, member.pk) or not _is_official_near(user, congress):
        raise _refuse("user", account_not_found(congress))
    try:
        with transaction.atomic():
            if head:
                Counter.objects.filter(roll=roll, head=True).update(head=False)
            counter = Counter.objects.create(
                roll=roll, member=member, full_name=member.full_name, user=user, head=head
            )
            audit_log(
                actor=by,
                action="election.counter_add",
                object_type="congress",
                object_id=congress.pk,
                detail={"member": member.pk, "user": user.pk, "head": head},
                ctx=ctx,
            )
            notify(
                [user],
                kind="election.counter",
                title=_("Đồng chí được cử vào ban kiểm phiếu"),
                body=_("%(org)s, %(term)s: nhập và đối chiếu phiếu bầu ở trang ban kiểm phiếu.")
                % {"org": congress.org.name, "term": congress.term.name},
                url=reverse("elections:counting", args=[roll.pk]),
                ctx=ctx,
            )
    except IntegrityError:
        raise _refuse(
            "member",
            _("%(name)s (hoặc tài khoản này) đã có trong ban kiểm phiếu.")
            % {"name": member.full_name},
        ) from None
    return counter


def counter_remove(*, counter: Counter, by: Actor, ctx: AuditContext | None = None) -> None:
    """Take a member off the counting committee (the ballots they read stay theirs)."""
    congress = counter.roll.congress
    _require_editor(by, congress)
    with transaction.atomic():
        audit_log(
            actor=by,
            action="election.counter_remove",
            object_type="congress",
            object_id=congress.pk,
            detail={"member": counter.member_id, "user": counter.user_id},
            ctx=ctx,
        )
        counter.delete()


def counters_for(election: Election) -> list[Counter]:
    """The congress's counters who may count this election: not candidates in it."""
    candidates = Candidate.objects.filter(election=election).values("member_id")
    return list(
        Counter.objects.filter(roll__congress_id=election.congress_id).exclude(
            member_id__in=candidates
        )
    )


def counter_of(actor: Actor, congress_id: int) -> Counter | None:
    """The actor's place on the congress's counting committee, or None. An official's account
    named for a delegate counts only when logged in at the officer level, as its grants act;
    the account linked to the counter's own record counts at a member's level."""
    user = actor_user(actor)
    if user is None:
        return None
    counter = Counter.objects.filter(roll__congress_id=congress_id, user=user).first()
    if counter is None:
        return None
    if user.member_id != counter.member_id and login_level(user) < settings.OIDC_OFFICER_MIN_LEVEL:
        return None
    return counter


def counting_refusal(by: Actor, election: Election) -> str:
    """Why `by` may not read ballots of this election, in words, or "": only a counter of the
    congress's counting committee, and not one who is a candidate in it."""
    counter = counter_of(by, election.congress_id)
    if counter is None:
        return _(
            "Chỉ thành viên ban kiểm phiếu của đại hội được nhập, đối chiếu và xử lý phiếu: "
            "đoàn chủ tịch cử ban kiểm phiếu ở trang bầu cử của đại hội."
        )
    if Candidate.objects.filter(election=election, member_id=counter.member_id).exists():
        return _(
            "%(name)s có tên trong danh sách bầu cử này nên không kiểm phiếu cuộc bầu này."
        ) % {"name": counter.full_name}
    return ""


def _require_counter(by: Actor, election: Election) -> None:
    refusal = counting_refusal(by, election)
    if refusal:
        raise _refuse("counter", refusal)


# -- Elections and candidates ----------------------------------------------------------------

_CLOSED = (Election.Status.CLOSED, Election.Status.SENT)


def election_create(
    *,
    congress: Congress,
    kind: str,
    seats: int,
    by: Actor,
    ctx: AuditContext | None = None,
) -> Election:
    """Open an election at the congress, under the rules in force on the congress's day."""
    _require_editor(by, congress)
    if kind not in Election.Kind.values:
        raise _refuse("kind", _("Hãy chọn bầu gì."))
    if not isinstance(seats, int) or not 1 <= seats <= 500:
        raise _refuse("seats", _("Số lượng cần bầu phải từ 1 đến 500."))
    if kind in (Election.Kind.SECRETARY, Election.Kind.INSPECTION_CHAIR) and seats != 1:
        raise _refuse("seats", _("Chỉ bầu một người vào chức danh này."))
    day = congress.held_on or congress.planned_on or timezone.localdate()
    rulebook = rulebook_on(day)
    if rulebook is None:
        raise _refuse("kind", _("Chưa có quy chế bầu cử có hiệu lực vào ngày đại hội."))
    with transaction.atomic():
        if (
            kind in Election.BY_COMMITTEE
            and Election.objects.filter(congress=congress, kind=Election.Kind.COMMITTEE)
            .exclude(status__in=_CLOSED)
            .exists()
        ):
            raise _refuse(
                "kind",
                _(
                    "Chốt kết quả bầu Ban chấp hành trước: Ban chấp hành khoá mới bầu chức danh "
                    "này trong số các uỷ viên của mình."
                ),
            )
        if Election.objects.filter(
            congress=congress, kind=kind, round=1, status__in=(*_CLOSED, Election.Status.COUNTING)
        ).exists():
            raise _refuse("kind", _("Cuộc bầu này đã kiểm phiếu; bầu lại thì mở lần bầu thứ hai."))
        election = Election.objects.create(
            congress=congress, kind=kind, seats=seats, rulebook=rulebook
        )
        audit_log(
            actor=by,
            action="election.create",
            object_type="election",
            object_id=election.pk,
            detail={"congress": congress.pk, "kind": kind, "seats": seats},
            ctx=ctx,
        )
    return election


def _locked(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("congress__org", "congress__term", "rulebook")
        .get(pk=election.pk)
    )


def _too_few(n: int, seats: int) -> str:
    return _("Danh sách bầu cử có %(n)d người, ít hơn số lượng cần bầu (%(s)d).") % {
        "n": n,
        "s": seats,
    }


def candidates_set(
    *,
    election: Election,
    members: Sequence[Member],
    by: Actor,
    complete: bool = False,
    ctx: AuditContext | None = None,
) -> list[Candidate]:
    """The candidate list, in its order, whole: any official member of the organisation's
    subtree (a delegate or not). Refused over the surplus, empty (or under the seats when
    `complete`), with a name twice, someone outside the organisation or probationary, and once
    counting has begun. A list still short of the seats is kept as a draft."""
    congress = election.congress
    _require_editor(by, congress)
    rules = election.rulebook.rules
    problem = candidates_problem(election.seats, len(members), rules)
    # A later round is among those the first left tied or short (the congress decides the
    # list): the surplus limits the first list only.
    if problem == "over_surplus" and election.round > 1:
        problem = None
    # A list being drawn up may be short for now (names are added a few at a time from the
    # registry); counting never starts on one (election_start_count), and a next round's list
    # is whole at once (election_second_round).
    if problem == "too_few" and (complete or not members):
        raise _refuse("candidates", _too_few(len(members), election.seats))
    if problem == "over_surplus":
        raise _refuse(
            "candidates",
            _(
                "Danh sách bầu cử có %(n)d người: vượt số dư tối đa %(p)d%% số lượng cần bầu "
                "(%(s)d), nhiều nhất %(max)d người."
            )
            % {
                "n": len(members),
                "p": election.rulebook.max_surplus_percent,
                "s": election.seats,
                "max": election.seats + int(election.seats * rules.max_surplus),
            },
        )
    seen: set[int] = set()
    for n, member in enumerate(members, start=1):
        problem_of_member = _not_electable(congress, member)
        if problem_of_member:
            raise _refuse(
                "candidates",
                _("Dòng %(n)d: %(problem)s") % {"n": n, "problem": problem_of_member},
            )
        if member.pk in seen:
            raise _refuse(
                "candidates",
                _("Dòng %(n)d: %(name)s có tên hai lần.") % {"n": n, "name": member.full_name},
            )
        seen.add(member.pk)
    with transaction.atomic():
        election = _locked(election)
        if election.status == Election.Status.SENT:
            raise _sent_refusal()
        if election.status != Election.Status.PREPARING:
            raise _refuse("candidates", _("Đã bắt đầu kiểm phiếu: danh sách không sửa được nữa."))
        election.candidates.all().delete()
        rows = Candidate.objects.bulk_create(
            [
                Candidate(election=election, position=n, member=m, full_name=m.full_name)
                for n, m in enumerate(members, start=1)
            ]
        )
        audit_log(
            actor=by,
            action="election.candidates",
            object_type="election",
            object_id=election.pk,
            detail={"members": [m.pk for m in members]},
            ctx=ctx,
        )
    return rows


def election_start_count(
    *, election: Election, ballots_issued: int, by: Actor, ctx: AuditContext | None = None
) -> Election:
    """Start counting: the candidate list is fixed and the ballots issued are recorded (at most
    one per voter checked in)."""
    _require_editor(by, election.congress)
    with transaction.atomic():
        election = _locked(election)
        if election.status != Election.Status.PREPARING:
            raise _refuse("ballots_issued", _("Cuộc bầu này đã bắt đầu kiểm phiếu."))
        candidates = election.candidates.count()
        problem = candidates_problem(election.seats, candidates, election.rulebook.rules)
        if problem == "too_few":
            raise _refuse("ballots_issued", _too_few(candidates, election.seats))
        if problem and not (problem == "over_surplus" and election.round > 1):
            raise _refuse("ballots_issued", _("Hãy lập danh sách bầu cử đúng quy chế trước."))
        if len(counters_for(election)) < 2:
            raise _refuse(
                "ballots_issued",
                _(
                    "Hãy cử ban kiểm phiếu trước: cần ít nhất 2 thành viên không có tên trong "
                    "danh sách bầu cử này (một người nhập, một người đối chiếu)."
                ),
            )
        roll = Roll.objects.filter(congress=election.congress).first()
        present = roll.voters.filter(checked_in_at__isnull=False).count() if roll else 0
        if not isinstance(ballots_issued, int) or not 1 <= ballots_issued <= present:
            raise _refuse(
                "ballots_issued",
                _("Số phiếu phát ra phải từ 1 đến số đại biểu có mặt (%(p)d).") % {"p": present},
            )
        election.status, election.ballots_issued = Election.Status.COUNTING, ballots_issued
        election.save(update_fields=["status", "ballots_issued"])
        audit_log(
            actor=by,
            action="election.count_start",
            object_type="election",
            object_id=election.pk,
            detail={"ballots_issued": ballots_issued},
            ctx=ctx,
        )
    return election


# -- Ballots: double entry -------------------------------------------------------------------


def agree_form(election: Election) -> bool:
    """Whether the election's ballots have "agree"/"disagree" columns: a list without surplus,
    where the rules in force say so (`Rulebook.agree_columns`)."""
    return (
        election.rulebook.agree_columns
        and Candidate.objects.filter(election=election).count() == election.seats
    )


def _reading(
    election: Election, number: Any, kept: Sequence[int], unclear: Sequence[int] = ()
) -> tuple[int, list[int], list[int]]:
    """Check a reading of a ballot: its number among those issued, its names on the list, and
    (on a ballot with agree/disagree columns only) the names marked in both or neither."""
    if election.status == Election.Status.SENT:
        raise _sent_refusal()
    if election.status != Election.Status.COUNTING:
        raise _refuse("number", _("Cuộc bầu này không ở giai đoạn kiểm phiếu."))
    issued = election.ballots_issued or 0
    if not isinstance(number, int) or not 1 <= number <= issued:
        raise _refuse(
            "number", _("Số phiếu phải từ 1 đến %(n)d (số phiếu phát ra).") % {"n": issued}
        )
    ids = set(election.candidates.values_list("pk", flat=True))
    chosen, marked = sorted(set(kept)), sorted(set(unclear))
    if not set(chosen) | set(marked) <= ids:
        raise _refuse("kept", _("Phiếu số %(n)d: có tên không thuộc danh sách.") % {"n": number})
    if marked and not agree_form(election):
        raise _refuse(
            "kept",
            _("Phiếu số %(n)d: phiếu này không có cột đồng ý, không đồng ý.") % {"n": number},
        )
    if set(chosen) & set(marked):
        raise _refuse(
            "kept",
            _("Phiếu số %(n)d: một tên vừa ghi đồng ý vừa ghi không rõ.") % {"n": number},
        )
    return number, chosen, marked


def ballot_enter(
    *,
    election: Election,
    number: int,
    kept: Sequence[int],
    spoilt: bool = False,
    unclear: Sequence[int] = (),
    by: Actor,
    ctx: AuditContext | None = None,
) -> Ballot:
    """The first counter enters a ballot: the names it keeps (marked "agree" on a ballot with
    agree/disagree columns, where `unclear` are those marked in both or neither), or that it is
    spoilt (not issued by the committee, signed, marked). A number already entered is refused."""
    _require_counter(by, election)
    with transaction.atomic():
        election = _locked(election)
        number, chosen, marked = _reading(election, number, kept, unclear)
        existing = Ballot.objects.filter(election=election, number=number).first()
        if existing is not None:
            raise _refuse(
                "number",
                _("Phiếu số %(n)d đã được nhập rồi: hãy đối chiếu hoặc nhập phiếu khác.")
                % {"n": number},
            )
        ballot = Ballot.objects.create(
            election=election,
            number=number,
            kept=chosen,
            spoilt=bool(spoilt),
            unclear=marked,
            entered_by=actor_user(by),
        )
        audit_log(
            actor=by,
            action="election.ballot_enter",
            object_type="election",
            object_id=election.pk,
            detail={"ballot": number},
            ctx=ctx,
        )
    return ballot


def ballot_verify(
    *,
    election: Election,
    number: int,
    kept: Sequence[int],
    spoilt: bool = False,
    unclear: Sequence[int] = (),
    by: Actor,
    ctx: AuditContext | None = None,
) -> Ballot:
    """A second counter reads the ballot again, blind: the same reading verifies it; another
    marks it disputed, both readings kept for the committee to resolve. The counter who entered
    it cannot verify it."""
    _require_counter(by, election)
    with transaction.atomic():
        election = _locked(election)
        number, chosen, marked = _reading(election, number, kept, unclear)
        ballot = Ballot.objects.select_for_update().filter(election=election, number=number).first()
        if ballot is None:
            raise _refuse("number", _("Phiếu số %(n)d chưa được nhập lần đầu.") % {"n": number})
        if ballot.entered_by_id == getattr(actor_user(by), "pk", None):
            raise _refuse(
                "number",
                _("Phiếu số %(n)d do chính đồng chí nhập: người khác phải đối chiếu.")
                % {"n": number},
            )
        if ballot.status != Ballot.Status.ENTERED:
            raise _refuse(
                "number",
                _("Phiếu số %(n)d đã được đối chiếu (%(status)s).")
                % {"n": number, "status": ballot.get_status_display()},
            )
        same = (
            chosen == sorted(ballot.kept)
            and marked == sorted(ballot.unclear)
            and bool(spoilt) == ballot.spoilt
        )
        ballot.second_kept, ballot.second_spoilt = chosen, bool(spoilt)
        ballot.second_unclear = marked
        ballot.verified_by = actor_user(by)
        ballot.status = Ballot.Status.VERIFIED if same else Ballot.Status.DISPUTED
        ballot.save(
            update_fields=[
                "second_kept",
                "second_spoilt",
                "second_unclear",
                "verified_by",
                "status",
            ]
        )
        audit_log(
            actor=by,
            action="election.ballot_verify",
            object_type="election",
            object_id=election.pk,
            detail={"ballot": number, "agrees": same},
            ctx=ctx,
        )
    return ballot


def ballot_resolve(
    *,
    ballot: Ballot,
    kept: Sequence[int],
    spoilt: bool,
    note: str,
    by: Actor,
    unclear: Sequence[int] = (),
    ctx: AuditContext | None = None,
) -> Ballot:
    """The counting committee looks at a disputed ballot together and records what it keeps."""
    election = ballot.election
    _require_counter(by, election)
    note = (note or "").strip()
    if not note:
        raise _refuse("note", _("Hãy ghi ban kiểm phiếu đã xem lại phiếu thế nào."))
    with transaction.atomic():
        election = _locked(election)
        number, chosen, marked = _reading(election, ballot.number, kept, unclear)
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status != Ballot.Status.DISPUTED:
            raise _refuse("number", _("Phiếu số %(n)d không có chênh lệch.") % {"n": number})
        ballot.kept, ballot.spoilt, ballot.status = chosen, bool(spoilt), Ballot.Status.RESOLVED
        ballot.unclear = marked
        ballot.save(update_fields=["kept", "spoilt", "unclear", "status"])
        audit_log(
            actor=by,
            action="election.ballot_resolve",
            object_type="election",
            object_id=election.pk,
            detail={"ballot": number, "note": note[:300]},
            ctx=ctx,
        )
    return ballot


def ballot_problem_of(election: Election, ballot: Ballot) -> str | None:
    """Why a ballot is invalid, in words, or None."""
    if ballot.spoilt:
        return _("không do ban kiểm phiếu phát ra hoặc có đánh dấu")
    candidates = [c.pk for c in election.candidates.all()]
    problem = ballot_problem(
        ballot.kept, candidates, election.seats, election.rulebook.rules, ballot.unclear
    )
    return None if problem is None else str(BALLOT_REASONS[problem])


# -- The tally -------------------------------------------------------------------------------


def election_close(*, election: Election, by: Actor, ctx: AuditContext | None = None) -> Election:
    """Close the tally: every ballot entered and verified (disputes resolved), then who is
    elected by the rules, fixed with the base and the votes."""
    _require_editor(by, election.congress)
    with transaction.atomic():
        election = _locked(election)
        if election.status != Election.Status.COUNTING:
            raise _refuse("election", _("Cuộc bầu này không ở giai đoạn kiểm phiếu."))
        ballots = list(election.ballots.all())
        open_ = [b.number for b in ballots if not b.settled]
        if open_:
            shown = ", ".join(str(n) for n in open_[:20])
            raise _refuse(
                "election",
                _(
                    "Chưa chốt được: %(n)d phiếu chưa đối chiếu hoặc còn chênh lệch "
                    "(số %(numbers)s)."
                )
                % {"n": len(open_), "numbers": shown},
            )
        if not ballots:
            raise _refuse("election", _("Chưa nhập phiếu nào."))
        roll = Roll.objects.get(congress=election.congress)
        base = roll_base(roll, election)
        candidates = list(election.candidates.all())
        ids = [c.pk for c in candidates]
        rules = election.rulebook.rules
        # Spoilt ballots, and a list of one marked in both columns or neither, count for
        # nobody; tally() judges the rest by the names they keep.
        void = {
            b.pk
            for b in ballots
            if b.spoilt
            or (b.unclear and ballot_problem(b.kept, ids, election.seats, rules, b.unclear))
        }
        outcome = tally(
            [b.kept for b in ballots if b.pk not in void], ids, election.seats, base, rules
        )
        spoilt = len(void)
        for c in candidates:
            c.votes = outcome.votes[c.pk]
            c.elected = c.pk in outcome.elected
            c.tied = c.pk in outcome.tied
        Candidate.objects.bulk_update(candidates, ["votes", "elected", "tied"])
        election.base, election.valid = base, outcome.valid
        election.invalid = outcome.invalid + spoilt
        election.status, election.closed_at = Election.Status.CLOSED, timezone.now()
        election.save(update_fields=["base", "valid", "invalid", "status", "closed_at"])
        audit_log(
            actor=by,
            action="election.close",
            object_type="election",
            object_id=election.pk,
            detail={
                "base": base,
                "valid": outcome.valid,
                "invalid": election.invalid,
                "elected": len(outcome.elected),
            },
            ctx=ctx,
        )
    return election


def election_second_round(
    *,
    election: Election,
    members: Sequence[Member],
    by: Actor,
    ctx: AuditContext | None = None,
) -> Election:
    """A second round for the seats still open (a tie at the last seat, or too few with more
    than half), among candidates of the first round not elected, as the congress decides."""
    _require_editor(by, election.congress)
    if election.status != Election.Status.CLOSED:
        raise _refuse("election", _("Chỉ bầu lần hai sau khi đã chốt kết quả lần một."))
    open_seats = election.seats - election.candidates.filter(elected=True).count()
    if open_seats < 1:
        raise _refuse("election", _("Đã bầu đủ số lượng: không cần bầu lần hai."))
    if hasattr(election, "next_round"):
        raise _refuse("election", _("Lần bầu tiếp theo đã được mở rồi."))
    allowed = set(election.candidates.filter(elected=False).values_list("member_id", flat=True))
    if any(m.pk not in allowed for m in members):
        raise _refuse("candidates", _("Lần bầu sau chỉ gồm những người chưa trúng cử ở lần trước."))
    with transaction.atomic():
        following = Election.objects.create(
            congress=election.congress,
            kind=election.kind,
            round=election.round + 1,
            previous=election,
            seats=open_seats,
            rulebook=election.rulebook,
        )
        audit_log(
            actor=by,
            action="election.second_round",
            object_type="election",
            object_id=following.pk,
            detail={"previous": election.pk, "seats": open_seats},
            ctx=ctx,
        )
        # A list may equal the open seats (no surplus) but never fall below them.
        candidates_set(election=following, members=members, by=by, complete=True, ctx=ctx)
    return following


# -- To the congress monitor ----------------------------------------------------------------

ROLE_RANK: dict[str, int] = {
    Person.Role.MEMBER: 0,
    Person.Role.STANDING: 1,
    Person.Role.DEPUTY: 2,
    Person.Role.SECRETARY: 3,
    Person.Role.CHAIR: 3,
}


def _rounds(election: Election) -> list[Election]:
    chain = [election]
    while chain[-1].previous_id is not None:
        previous = chain[-1].previous
        assert previous is not None
        chain.append(previous)
    return chain


def _people_in(congress: Congress) -> list[congress_services.PersonIn]:
    return [
        congress_services.PersonIn(
            body=p.body,
            role=p.role,
            member_id=p.member_id,
            full_name=p.full_name,
            sex=p.sex,
            birth_year=p.birth_year,
            minority=p.minority,
            reelected=p.reelected,
            local=p.local,
            direct=p.direct,
        )
        for p in Person.objects.filter(congress=congress).order_by("body", "id")
    ]


def _previous_body(congress: Congress, body: str) -> set[int]:
    """The members who sat in `body` (committee, inspection committee) after the organisation's
    congress of the term before this one, as the monitor recorded them: someone elected now who
    was among them is re-elected. Nobody, when that congress's results were not recorded (the
    monitor cannot know); delegates are elected anew each term, never "re-elected"."""
    if body == Person.Body.DELEGATE:
        return set()
    previous = (
        Congress.objects.filter(org=congress.org, term__first_year__lt=congress.term.first_year)
        .order_by("-term__first_year")
        .first()
    )
    if previous is None:
        return set()
    return set(
        Person.objects.filter(congress=previous, body=body, member__isnull=False).values_list(
            "member_id", flat=True
        )
    )


def elected_facts(
    *, congress: Congress, body: str, member_ids: Sequence[int]
) -> dict[int, tuple[bool, bool]]:
    """For each member elected into `body`: (re-elected, local). Re-elected: in the same body
    after the organisation's previous congress (`_previous_body`). Local: a member of the
    organisation's subtree now, rather than someone sent in from elsewhere."""
    before = _previous_body(congress, body)
    local = set(
        Member.objects.filter(
            pk__in=member_ids, org_path__startswith=congress.org.path
        ).values_list("pk", flat=True)
    )
    return {pk: (pk in before, pk in local) for pk in member_ids}


def election_send(*, election: Election, by: Actor, ctx: AuditContext | None = None) -> Election:
    """Pass the elected (of every round of this election) to the congress monitor as the
    congress's results, through its own service; after that nothing of the election changes.

    The committee, the inspection committee and the elected delegates replace those bodies'
    rows; the standing committee, secretary, deputies and chair give their post to people
    already in the results."""
    _require_editor(by, election.congress)
    with transaction.atomic():
        election = _locked(election)
        if election.status == Election.Status.SENT:
            raise _sent_refusal()
        if election.status != Election.Status.CLOSED:
            raise _refuse("election", _("Hãy chốt kết quả kiểm phiếu trước khi chuyển."))
        rounds = _rounds(election)
        if any(r.status != Election.Status.CLOSED for r in rounds):
            raise _refuse("election", _("Lần bầu trước chưa chốt hoặc đã chuyển."))
        elected = list(
            Candidate.objects.filter(election__in=rounds, elected=True).order_by(
                "election__round", "position"
            )
        )
        body, role = MONITOR_PLACE[election.kind]
        congress = election.congress
        people = _people_in(congress)
        if role in (Person.Role.MEMBER, Person.Role.ELECTED):
            kept = [
                p
                for p in people
                if p.body != body or (body == Person.Body.DELEGATE and p.role != role)
            ]
            facts = elected_facts(
                congress=congress, body=body, member_ids=[c.member_id for c in elected]
            )
            people = kept + [
                congress_services.PersonIn(
                    body=body,
                    role=role,
                    member_id=c.member_id,
                    reelected=facts[c.member_id][0],
                    local=facts[c.member_id][1],
                )
                for c in elected
            ]
        else:
            by_member = {p.member_id: p for p in people if p.body == body}
            for c in elected:
                person = by_member.get(c.member_id)
                if person is None:
                    raise _refuse(
                        "election",
                        _(
                            "%(name)s chưa có trong %(body)s đã chuyển: hãy chuyển kết quả bầu đó trước."
                        )
                        % {"name": c.full_name, "body": Person.Body(body).label},
                    )
                if ROLE_RANK.get(person.role, 0) < ROLE_RANK[role]:
                    person.role = role
                # Elected here, the secretary is elected by the congress itself.
                person.direct = person.direct or role == Person.Role.SECRETARY
        first = rounds[-1]
        roll = Roll.objects.filter(congress=congress).first()
        numbers: dict[str, int | None] = {}
        if roll is not None:
            numbers["summoned"] = roll.voters.count()
            numbers["present"] = roll.voters.filter(checked_in_at__isnull=False).count()
        if election.kind == Election.Kind.COMMITTEE:
            numbers["committee_decided"] = first.seats
            numbers["candidates"] = first.candidates.count()
        congress_services.congress_results(
            congress=congress, numbers=numbers, people=people, by=by, ctx=ctx
        )
        now = timezone.now()
        Election.objects.filter(pk__in=[r.pk for r in rounds]).update(
            status=Election.Status.SENT, sent_at=now
        )
        audit_log(
            actor=by,
            action="election.send",
            object_type="election",
            object_id=election.pk,
            detail={"congress": congress.pk, "elected": [c.member_id for c in elected]},
            ctx=ctx,
        )
    election.refresh_from_db()
    return election
