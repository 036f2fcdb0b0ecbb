import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviews import limits
from reviews.models import Case
from reviews.roles import request_roles

logger = logging.getLogger(__name__)


@require_GET
@login_required
def home(request):
    """Send each person to where their work is."""
    roles = request_roles(request)
    if roles.hr:
        return redirect("reviews:case_list")
    if roles.sponsor:
        return redirect("reviews:dashboard")
    if roles.candidate:
        case = Case.objects.filter(candidate=request.user).order_by("-opened_on", "-id").first()
        return redirect(case)
    return redirect("guides:guide_list")


@never_cache
@require_GET
def healthz(request):
    """For load balancers and orchestrators: 200 while the database answers, 503 while it does not.

    No login and no session: a probe has neither, and a web process that cannot reach the
    database should be taken out of rotation rather than serve errors.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check: the database is unavailable: %s", error)
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_required
def about(request):
    """A page of the base template and one paragraph: the cheapest page a logged-in person sees."""
    return render(request, "about.html")


def bad_request(request, exception):
    """A request Django would not read: too many files or too much text say so and their limit."""
    if isinstance(exception, TooManyFilesSent):
        message = limits.TOO_MANY_FILES
    elif isinstance(exception, RequestDataTooBig):
        message = limits.TOO_MUCH_TEXT
    else:
        message = "The request could not be understood. Go back and try again."
    return render(request, "request_refused.html", {"message": message}, status=400)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
