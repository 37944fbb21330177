"""Forms of the study pages (quiz, review, cards, settings).

They render the fields and check the input's shape; the rules are the API's own: each ``SerializerForm`` runs the
API's serializer on its cleaned data and puts that serializer's errors on its fields, and the views put the
``ServiceError`` of the service they call on the field it names (``add_service_error``).
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cards.models import CardKind
from cards.serializers import EnrollSerializer, ReviewSerializer, SchedulerSettingsSerializer
from common.errors import ServiceError
from kb.models import Area
from portal.forms import PortalForm
from quizzes.models import QuizMode
from quizzes.serializers import QuizCreateSerializer
from quizzes.services import MAX_QUIZ_SIZE


class SerializerForm(PortalForm):
    """A form whose rules are an API serializer's: ``validated`` holds the serializer's validated data."""

    serializer_class = None
    non_field_target: str | None = None  # the field that shows the serializer's errors about the whole input

    def serializer_data(self, cleaned: dict) -> dict:
        return {name: value for name, value in cleaned.items() if value not in (None, "", [])}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        serializer = self.serializer_class(data=self.serializer_data(cleaned))
        if serializer.is_valid():
            self.validated = serializer.validated_data
        else:
            for field, messages in serializer.errors.items():
                for message in _flatten(messages):
                    self.add_error(field if field in self.fields else self.non_field_target, message)
        return cleaned

    def add_service_error(self, exc: ServiceError) -> None:
        """Show a service's complaint next to the field it names, or above the form."""
        if not exc.errors:
            self.add_error(None, exc.detail)
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)


def _flatten(messages, prefix: str = "") -> list[str]:
    """DRF's errors of one field (a list, or by index for list fields) as sentences."""
    if isinstance(messages, dict):
        return [
            text for index, inner in messages.items() for text in _flatten(inner, _("Item %(n)d: ") % {"n": index + 1})
        ]
    return [f"{prefix}{message}" for message in messages]


def area_choices(blank_label) -> list[tuple[str, str]]:
    return [("", blank_label), *((value, _(label)) for value, label in Area.choices)]


# --- quizzes -----------------------------------------------------------------------------------------------


class QuizStartForm(SerializerForm):
    """``/quiz/``: an area or some concepts, a size, random or adaptive (``QuizCreateSerializer``'s rules)."""

    serializer_class = QuizCreateSerializer

    area = forms.ChoiceField(label=_("Area"), required=False)
    concepts = forms.MultipleChoiceField(
        label=_("Or these concepts"),
        required=False,
        help_text=_("Choose an area or one or more concepts (Ctrl or Shift to choose several)."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    size = forms.IntegerField(
        label=_("Number of questions"),
        initial=5,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_QUIZ_SIZE, "inputmode": "numeric"}),
    )
    mode = forms.ChoiceField(
        label=_("Order"),
        initial=QuizMode.RANDOM,
        choices=[
            (QuizMode.RANDOM, _("Random: questions drawn at random")),
            (QuizMode.ADAPTIVE, _("Adaptive: your weakest concepts first, interleaved, questions at your level")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, concepts: list[tuple[str, list[tuple[str, str]]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(_("None: the concepts below"))
        self.fields["concepts"].choices = concepts


# --- flashcards --------------------------------------------------------------------------------------------


class RatingForm(SerializerForm):
    """A rating sent without JavaScript (``ReviewSerializer``'s rules); ``review_id`` comes with the page, so
    sending the form twice applies it once."""

    serializer_class = ReviewSerializer

    card = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    rating = forms.IntegerField()
    review_id = forms.UUIDField(widget=forms.HiddenInput)


class CardFilterForm(PortalForm):
    """``/cards/?q=&concept=&area=&kind=&suspended=``; all optional."""

    q = forms.CharField(
        label=_("Search front and back"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    concept = forms.ChoiceField(label=_("Concept"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    suspended = forms.ChoiceField(
        label=_("Suspended"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Suspended only")), ("no", _("Not suspended"))],
    )

    def __init__(self, *args, concepts: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concept"].choices = [("", _("All concepts")), *concepts]
        self.fields["area"].choices = area_choices(_("All areas"))
        self.fields["kind"].choices = [("", _("All kinds")), *((value, _(label)) for value, label in CARD_KINDS)]

    def filters(self) -> dict:
        data = self.cleaned_data
        suspended = {"yes": True, "no": False}.get(data["suspended"])
        return {
            "text": data["q"],
            "concept": data["concept"],
            "area": data["area"],
            "kind": data["kind"],
            "suspended": suspended,
        }


CARD_KINDS = [
    (CardKind.DEFINITION, _("Definition")),
    (CardKind.FORMULA, _("Formula")),
    (CardKind.PROS_CONS, _("Pros and cons")),
    (CardKind.CLOZE, _("Cloze")),
    (CardKind.QUESTION, _("Quiz question")),
]


class EnrollForm(SerializerForm):
    """``POST /cards/enroll/``: ``concepts`` (or ``concept``, from a concept page) or ``area``, as the API's
    ``EnrollSerializer`` takes them."""

    serializer_class = EnrollSerializer
    non_field_target = "area"  # "give either concepts or an area": the page's one visible field

    area = forms.ChoiceField(label=_("Area to add"), required=False)
    concepts = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    include_questions = forms.BooleanField(label=_("Also study the area's quiz questions as cards"), required=False)

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("auto_id", "enroll_%s")  # the card browser's filter has an "area" field too
        if data is not None:
            slugs = [*data.getlist("concepts"), *data.getlist("concept")]
            data = data.copy()
            data.setlist("concepts", slugs)
        super().__init__(data, **kwargs)
        self.fields["area"].choices = area_choices(_("Choose an area"))

    def clean_concepts(self):
        return [slug for slug in self.cleaned_data["concepts"] or [] if slug]

    def serializer_data(self, cleaned: dict) -> dict:
        data = super().serializer_data(cleaned)
        data["include_questions"] = cleaned.get("include_questions", False)
        return data


# --- settings ----------------------------------------------------------------------------------------------

_RULES = SchedulerSettingsSerializer().fields


def _bounds(name: str) -> dict:
    field = _RULES[name]
    return {"min": field.min_value, "max": field.max_value}


class SchedulerSettingsForm(SerializerForm):
    """``/settings/``: the scheduler settings, validated by ``SchedulerSettingsSerializer``; steps are typed as
    minutes separated by commas or spaces."""

    serializer_class = SchedulerSettingsSerializer

    desired_retention = forms.FloatField(
        label=_("Desired retention"),
        help_text=_(
            "The chance of still remembering a card when it comes back: higher means more reviews, "
            "lower means more forgetting."
        ),
        widget=forms.NumberInput(attrs={**_bounds("desired_retention"), "step": 0.01}),
    )
    maximum_interval = forms.IntegerField(
        label=_("Maximum interval (days)"),
        help_text=_("No card waits longer than this many days between two reviews."),
        widget=forms.NumberInput(attrs={**_bounds("maximum_interval"), "inputmode": "numeric"}),
    )
    learning_steps = forms.CharField(
        label=_("Learning steps (minutes)"),
        required=False,
        max_length=200,
        help_text=_("The waits, in minutes, between the first reviews of a new card, e.g. 1, 10."),
    )
    relearning_steps = forms.CharField(
        label=_("Relearning steps (minutes)"),
        required=False,
        max_length=200,
        help_text=_("The waits, in minutes, before a forgotten card returns to its long intervals, e.g. 10."),
    )
    enable_fuzzing = forms.BooleanField(
        label=_("Fuzz"),
        required=False,
        help_text=_("Spread due dates by a little randomness, so that cards learned together do not stay together."),
    )
    new_cards_per_day = forms.IntegerField(
        label=_("New cards a day"),
        help_text=_("At most this many new cards are introduced in one study day; 0 pauses new cards."),
        widget=forms.NumberInput(attrs={**_bounds("new_cards_per_day"), "inputmode": "numeric"}),
    )
    max_reviews_per_day = forms.IntegerField(
        label=_("Reviews a day"),
        help_text=_("At most this many reviews are shown in one study day; the rest wait for the next day."),
        widget=forms.NumberInput(attrs={**_bounds("max_reviews_per_day"), "inputmode": "numeric"}),
    )
    day_starts_at_hour = forms.IntegerField(
        label=_("The study day starts at (hour)"),
        help_text=_(
            "The local hour, 0 to 23, when a new study day begins: with 4, reviews before 4 a.m. count for the day "
            "before."
        ),
        widget=forms.NumberInput(attrs={**_bounds("day_starts_at_hour"), "inputmode": "numeric"}),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("Where your study day is counted, as an IANA name such as Asia/Shanghai or Europe/Paris."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    bury_siblings = forms.BooleanField(
        label=_("Bury siblings"),
        required=False,
        help_text=_("After you review a card, the other cards of its concept wait until the next day."),
    )
    load_balancing = forms.BooleanField(
        label=_("Load balancing"),
        required=False,
        help_text=_("Within the fuzz, move each review to the day with the fewest reviews already due."),
    )
    easy_days = forms.MultipleChoiceField(
        label=_("Easy days"),
        required=False,
        choices=[
            ("0", _("Monday")),
            ("1", _("Tuesday")),
            ("2", _("Wednesday")),
            ("3", _("Thursday")),
            ("4", _("Friday")),
            ("5", _("Saturday")),
            ("6", _("Sunday")),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Load balancing keeps these weekdays light."),
    )

    def serializer_data(self, cleaned: dict) -> dict:
        return {
            **cleaned,
            "learning_steps": _steps(cleaned["learning_steps"]),
            "relearning_steps": _steps(cleaned["relearning_steps"]),
        }

    @staticmethod
    def initial_from(config) -> dict:
        return {
            "desired_retention": config.desired_retention,
            "maximum_interval": config.maximum_interval,
            "learning_steps": ", ".join(f"{step:g}" for step in config.learning_steps),
            "relearning_steps": ", ".join(f"{step:g}" for step in config.relearning_steps),
            "enable_fuzzing": config.enable_fuzzing,
            "new_cards_per_day": config.new_cards_per_day,
            "max_reviews_per_day": config.max_reviews_per_day,
            "day_starts_at_hour": config.day_starts_at_hour,
            "time_zone": config.time_zone,
            "bury_siblings": config.bury_siblings,
            "load_balancing": config.load_balancing,
            "easy_days": [str(day) for day in config.easy_days],
        }


def _steps(text: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", text or "") if part]
