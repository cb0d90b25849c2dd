"""The handbook's own records: members' adoption of the app, published documents and what each
member did with them, and the errors members report in their record."""

from django.db import models


class MemberActivity(models.Model):
    """A member's use of the handbook: activated at the first login, installed, last seen."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, primary_key=True, related_name="handbook"
    )
    activated_at = models.DateTimeField()
    installed_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"activity {self.member_id}"
