import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_http_methods

from accounts.declarations import declare, save_grouping_field, withdraw_all
from accounts.forms import DeclarationForm, GroupingFieldForm, LoginForm
from accounts.models import Declaration, GroupingField
from accounts.tasks import send_password_reset
from accounts.throttles import password_reset_refusal, too_many_login_failures
from core.forms import add_errors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if too_many_login_failures(request):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            context = {
                "heading": "Too many failed log-in attempts",
                "message": (
                    f"There have been {settings.LOGIN_FAILURES_PER_ADDRESS} failed log-ins from "
                    f"your address in the last {minutes} minutes, so log-ins from it are paused. "
                    "Wait a while, then try again."
                ),
            }
            return render(request, "accounts/throttled.html", context, status=429)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        """Queue the mail rather than send it: the answer does not wait on the address's users or
        the mail server, so it is the same for every address."""
        email = form.cleaned_data["email"]
        refusal = password_reset_refusal(self.request, email)
        if refusal:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        send_password_reset.enqueue(email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def _is_hr(request) -> bool:
    """Whether this person defines grouping fields. The app that knows people's roles says so,
    named by the setting GROUPING_FIELD_MANAGER_CHECK, so that this app depends on no other."""
    return import_string(settings.GROUPING_FIELD_MANAGER_CHECK)(request)


def _require_hr(request) -> None:
    # HR's pages are not found by anyone else.
    if not _is_hr(request):
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def details(request):
    """The person's own answers to the grouping fields: given, changed or withdrawn by them."""
    fields = GroupingField.objects.filter(active=True).prefetch_related("answers")
    declarations = {
        d.field_id: d for d in Declaration.objects.filter(user=request.user).select_related("field")
    }
    form = DeclarationForm(request.POST or None, fields=fields, declarations=declarations)
    if request.method == "POST" and "withdraw_all" in request.POST:
        count = withdraw_all(user=request.user)
        messages.success(
            request,
            "Your answers are removed." if count else "You had given no answers, so none changed.",
        )
        return redirect("accounts:details")
    if request.method == "POST" and form.is_valid():
        try:
            declare(user=request.user, choices=form.choices())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Your answers are saved. Only you and HR can see them.")
            return redirect("accounts:details")
    answered_elsewhere = any(not d.field.active for d in declarations.values())
    context = {"form": form, "has_answers": bool(declarations), "inactive": answered_elsewhere}
    return render(request, "accounts/details.html", context)


@require_GET
@login_required
def grouping_field_list(request):
    _require_hr(request)
    fields = GroupingField.objects.prefetch_related("answers")
    return render(request, "accounts/grouping_field_list.html", {"fields": fields})


@require_http_methods(["GET", "POST"])
@login_required
def grouping_field_create(request):
    return _grouping_field_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def grouping_field_edit(request, field_id):
    _require_hr(request)
    return _grouping_field_form(request, get_object_or_404(GroupingField, pk=field_id))


def _grouping_field_form(request, field):
    _require_hr(request)
    form = GroupingFieldForm(request.POST or None, instance=copy.copy(field))
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_grouping_field(
                field=field,
                name=form.cleaned_data["name"],
                question=form.cleaned_data["question"],
                answers=form.answer_lines(),
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"The grouping field “{saved.name}” is saved.")
            return redirect("accounts:grouping_field_list")
    return render(request, "accounts/grouping_field_form.html", {"form": form, "field": field})
