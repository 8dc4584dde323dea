from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from aftersales.accounts.forms import (
    RateLimitedLoginForm,
    StyledPasswordChangeForm,
    StyledPasswordResetForm,
    StyledSetPasswordForm,
)
from aftersales.core import ratelimit


class LoginView(auth_views.LoginView):
    """Public page. Attempts are rate limited per address + user name; a successful login clears the count."""

    form_class = RateLimitedLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link on another site cannot log
    the user out."""


class PasswordResetView(auth_views.PasswordResetView):
    """Public page: a forgotten password. The link is mailed (through EMAIL_URL) to the
    active account with that address and points at SITE_URL, never at the request's Host
    header. Requests count against the login budget of the client's address, so the form
    cannot flood a mailbox."""

    form_class = StyledPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        try:
            ratelimit.hit("login", f"reset:{self.request.META.get('REMOTE_ADDR', 'unknown')}")
        except ratelimit.RateLimited as exc:
            form.add_error(None, _("Too many requests; try again in %(seconds)s s.") % {"seconds": exc.retry_after})
            return self.form_invalid(form)
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """Public page: says a link was sent if an account has that address."""

    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Public page, reached by the mailed link (valid PASSWORD_RESET_TIMEOUT, once): a new
    password, checked by the password validators."""

    form_class = StyledSetPasswordForm
    template_name = "registration/password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """Public page: the password is set; log in."""

    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any logged-in user: change one's own password (the old one is asked for)."""

    form_class = StyledPasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    """Any logged-in user: the password was changed."""

    template_name = "registration/password_change_done.html"
