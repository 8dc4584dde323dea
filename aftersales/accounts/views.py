from django.contrib.auth import views as auth_views

from aftersales.accounts.forms import RateLimitedLoginForm


class LoginView(auth_views.LoginView):
    """Public page. Attempts are rate limited per address + user name; a successful login clears the count."""

    form_class = RateLimitedLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link on another site cannot log
    the user out."""
