"""Background work of accounts, run by `manage.py db_worker`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task


@task
def send_password_reset(email: str) -> None:
    """Mail a reset link to each active account with this email address, if there is any.

    The web request only queues this, so its answer takes as long, and reads the same, whether
    the address belongs to someone or not."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        extra_email_context={"site_url": settings.SITE_URL},
    )
