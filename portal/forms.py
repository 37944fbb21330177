"""Forms of the portal. They check the shape of the input; the rules live in the services they call."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from common import accounts
from common.errors import ServiceError
from kb.models import Area

# Which form field shows a service error about which input.
_SERVICE_FIELDS = {"username": "username", "email": "email", "password": "password1"}


class PortalForm(forms.Form):
    """Labels without Django's trailing colon (the layout puts each label above its field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    """Django's login form, with the portal's labels."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(PortalForm):
    """Registration through ``common.accounts.register``: the same rules (taken names, password strength) as
    ``POST /api/auth/register/``. ``save()`` creates the account or puts the service's errors on the fields."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        # The user model's own validator (letters, digits and @ . + - _), as the API's registration checks it.
        validators=get_user_model()._meta.get_field("username").validators,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        help_text=_("At least 8 characters; not a common password, not only digits, not like your username."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def save(self):
        """The new user, or None with the service's complaints added to the form's errors."""
        data = self.cleaned_data
        try:
            user, _token = accounts.register(data["username"], data["password1"], data.get("email") or "")
        except ServiceError as exc:
            if not exc.errors:
                self.add_error(None, exc.detail)
            for field, message in exc.errors.items():
                self.add_error(_SERVICE_FIELDS.get(field), message)
            return None
        return user


class ConceptSearchForm(PortalForm):
    """``/concepts/?q=&area=``; both optional."""

    q = forms.CharField(
        label=_("Search concepts"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. Adam, dropout, 批量归一化")}),
    )
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All areas")), *((value, _(label)) for value, label in Area.choices)]
