from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from aftersales.core import ratelimit


def login_ident(request, username: str) -> str:
    """Attempts are counted per client address and user name, so guessing one account's
    password is slowed down without locking its owner out from another place."""
    address = request.META.get("REMOTE_ADDR", "unknown") if request is not None else "unknown"
    return f"{address}:{(username or '').strip().lower()}"


class RateLimitedLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "rate_limited": _("Too many login attempts; try again in %(seconds)s s."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control form-control-lg", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"class": "form-control form-control-lg"})

    def clean(self):
        ident = login_ident(self.request, self.cleaned_data.get("username"))
        try:
            # Counted before the password is checked: over the limit, nothing is authenticated.
            ratelimit.hit("login", ident)
        except ratelimit.RateLimited as exc:
            raise forms.ValidationError(self.error_messages["rate_limited"], code="rate_limited",
                                        params={"seconds": exc.retry_after}) from exc
        cleaned = super().clean()
        ratelimit.reset("login", ident)
        return cleaned


def _style(form: forms.Form) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.setdefault("class", "form-control form-control-lg")
        if name == "email":
            field.widget.attrs.setdefault("autocomplete", "email")


class StyledPasswordResetForm(PasswordResetForm):
    """Asks for the account's e-mail address (Django's form: a link goes only to an active
    account with that address; the page says the same whether or not one exists)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class StyledSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
