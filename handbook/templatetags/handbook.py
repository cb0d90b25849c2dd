"""Template helpers of the handbook's layout."""

from django import template

from notices.selectors import unread_count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count_for(user)
