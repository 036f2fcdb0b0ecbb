"""The notifications page, and opening one notice (which marks it read)."""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from inbox.models import Notice
from inbox.services import mark_read

PER_PAGE = 50


@require_GET
@login_required
def notice_list(request):
    notices = Notice.objects.filter(recipient=request.user).only(
        "text", "about", "link", "created_at", "read_at"
    )
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    days = [
        (day, list(group))
        for day, group in itertools.groupby(
            page.object_list, key=lambda notice: timezone.localtime(notice.created_at).date()
        )
    ]
    return render(request, "inbox/notice_list.html", {"page": page, "days": days})


@require_POST
@login_required
def notice_open(request, notice_id: int):
    notice = get_object_or_404(Notice.objects.only("link"), pk=notice_id, recipient=request.user)
    mark_read(user=request.user, notices=[notice.pk])
    # Links are written by the app and constrained to a path, checked once more on the way out.
    if not url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None):
        return redirect("inbox:notice_list")
    return redirect(notice.link)


@require_POST
@login_required
def notice_read_all(request):
    if changed := mark_read(user=request.user):
        noun = "notification" if changed == 1 else "notifications"
        messages.success(request, f"Marked {changed} {noun} as read.")
    else:
        messages.info(request, "Nothing was unread.")
    return redirect("inbox:notice_list")
