from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy

from accounts.forms import LoginForm
from accounts.tasks import send_password_reset
from accounts.throttles import password_reset_refusal, too_many_login_failures


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
