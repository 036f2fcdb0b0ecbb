from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET

from accounts.roles import roles_for
from reviews.models import Case


@require_GET
@login_required
def home(request):
    """Send each person to where their work is."""
    roles = roles_for(request.user)
    if roles.hr:
        return redirect("reviews:case_list")
    if roles.sponsor:
        return redirect("reviews:dashboard")
    if roles.candidate:
        case = Case.objects.filter(candidate=request.user).order_by("-opened_on", "-id").first()
        return redirect(case)
    return redirect("guides:guide_list")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
