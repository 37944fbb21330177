import math
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from rest_framework import serializers

from cards import workload
from cards.models import Card, CardKind, FsrsState, ReviewLog, SchedulerSettings
from cards.selectors import CARD_STATES
from kb.models import Area

WEEKDAYS = "0 Monday, 1 Tuesday, 2 Wednesday, 3 Thursday, 4 Friday, 5 Saturday, 6 Sunday"


class EnrollSerializer(serializers.Serializer):
    concepts = serializers.ListField(child=serializers.SlugField(), required=False, allow_empty=False, max_length=100)
    area = serializers.ChoiceField(choices=Area.choices, required=False)
    include_questions = serializers.BooleanField(default=False, help_text="Also study quiz questions as cards.")

    def validate(self, data):
        if bool(data.get("concepts")) == bool(data.get("area")):
            raise serializers.ValidationError(
                "Give either concepts (a list of slugs) or an area.", code="invalid_scope"
            )
        return data


class CardSerializer(serializers.ModelSerializer):
    concept = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    state = serializers.CharField(source="get_state_display")

    class Meta:
        model = Card
        fields = (
            "id",
            "concept",
            "kind",
            "front",
            "back",
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "lapses",
            "leech",
            "suspended",
            "buried_until",
        )
        read_only_fields = fields


class DueCardSerializer(CardSerializer):
    """A card of the due list (documents ``card_data`` with the intervals the view adds)."""

    intervals = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Days each rating (again, hard, good, easy) gives."
    )

    class Meta(CardSerializer.Meta):
        fields = (*CardSerializer.Meta.fields, "intervals")
        read_only_fields = fields


def _iso(moment, zone) -> str:
    """A datetime as DRF's DateTimeField shows it (in the current time zone ``zone``, UTC as "Z")."""
    text = moment.astimezone(zone).isoformat()
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


STATE_LABELS = {state.value: state.label for state in FsrsState}


def card_data(card: Card, zone=None) -> dict:
    """``CardSerializer(card).data`` built directly, for the hot paths (the due list, reviews): the same keys and
    values without a serializer's per-call field setup. The card needs its concept's slug
    (``cards.queries`` reads them). ``zone``: the current time zone, where the caller has it already."""
    zone = zone or timezone.get_current_timezone()
    return {
        "id": card.pk,
        "concept": card.concept.slug,
        "kind": card.kind,
        "front": card.front,
        "back": card.back,
        "state": STATE_LABELS[card.state],
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": _iso(card.due, zone),
        "last_review": card.last_review and _iso(card.last_review, zone),
        "reps": card.reps,
        "lapses": card.lapses,
        "leech": card.leech,
        "suspended": card.suspended,
        "buried_until": card.buried_until and card.buried_until.isoformat(),
    }


class ReviewLogSerializer(serializers.ModelSerializer):
    state_before = serializers.CharField(source="get_state_before_display")
    state_after = serializers.CharField(source="get_state_after_display")

    class Meta:
        model = ReviewLog
        fields = (
            "review_id",
            "rating",
            "reviewed_at",
            "duration_ms",
            "state_before",
            "state_after",
            "due_before",
            "due_after",
            "stability_after",
            "difficulty_after",
            "undoable",
        )
        read_only_fields = fields


class CardFilterSerializer(serializers.Serializer):
    """The query parameters of ``GET /api/cards/``."""

    concept = serializers.SlugField(required=False, help_text="A concept's slug.")
    area = serializers.ChoiceField(choices=Area.choices, required=False)
    kind = serializers.ChoiceField(choices=CardKind.choices, required=False)
    state = serializers.ChoiceField(choices=sorted(CARD_STATES), required=False)
    suspended = serializers.BooleanField(required=False, allow_null=True, default=None)
    buried = serializers.BooleanField(required=False, allow_null=True, default=None)
    due_before = serializers.DateTimeField(required=False, help_text="Due before this moment (ISO 8601).")
    q = serializers.CharField(required=False, max_length=200, help_text="Words the front or back contain.")


class CardPatchSerializer(serializers.Serializer):
    suspended = serializers.BooleanField(required=False, help_text="Suspend (true) or unsuspend (false).")
    buried = serializers.BooleanField(required=False, help_text="Bury until the next study day, or unbury.")

    def validate(self, data):
        if not data:
            raise serializers.ValidationError("Send suspended and/or buried (true or false).", code="empty_patch")
        return data


class ReviewSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=4, help_text="1 Again, 2 Hard, 3 Good, 4 Easy.")
    review_id = serializers.UUIDField(help_text="A UUID the client makes; sending it again applies nothing more.")
    reviewed_at = serializers.DateTimeField(required=False, help_text="When it happened (UTC); default now.")
    duration_ms = serializers.IntegerField(required=False, min_value=0, max_value=3_600_000)


class BatchReviewSerializer(ReviewSerializer):
    card = serializers.IntegerField(min_value=1)


class BatchSerializer(serializers.Serializer):
    reviews = BatchReviewSerializer(many=True, allow_empty=False, max_length=1000)


class SchedulerSettingsSerializer(serializers.ModelSerializer):
    desired_retention = serializers.FloatField(min_value=0.7, max_value=0.99)
    maximum_interval = serializers.IntegerField(min_value=1, max_value=36500)
    learning_steps = serializers.ListField(
        child=serializers.FloatField(min_value=0.1, max_value=1440), max_length=10, help_text="Minutes."
    )
    relearning_steps = serializers.ListField(
        child=serializers.FloatField(min_value=0.1, max_value=1440), max_length=10, help_text="Minutes."
    )
    new_cards_per_day = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=9999,
        error_messages={"max_value": "new_cards_per_day must be from 0 (no new cards) to 9999."},
    )
    max_reviews_per_day = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=99999,
        error_messages={"max_value": "max_reviews_per_day must be from 0 to 99999."},
    )
    day_starts_at_hour = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=23,
        help_text="Local hour (0-23) at which a new study day starts.",
        error_messages={
            "min_value": "day_starts_at_hour is an hour from 0 to 23 (4 means the day starts at 4:00).",
            "max_value": "day_starts_at_hour is an hour from 0 to 23 (4 means the day starts at 4:00).",
        },
    )
    time_zone = serializers.CharField(
        required=False, max_length=64, help_text="An IANA time zone name, e.g. Asia/Shanghai."
    )
    easy_days = serializers.ListField(
        required=False,
        child=serializers.IntegerField(
            min_value=0,
            max_value=6,
            error_messages={
                "min_value": f"Easy days are weekday numbers: {WEEKDAYS}.",
                "max_value": f"Easy days are weekday numbers: {WEEKDAYS}.",
            },
        ),
        max_length=6,
        help_text=f"Weekdays kept light by load balancing: {WEEKDAYS}.",
        error_messages={"max_length": "At most 6 easy days: reviews must fall on some day of the week."},
    )

    def validate_time_zone(self, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise serializers.ValidationError(
                f"Unknown time zone {value!r}: use an IANA name such as Europe/Paris, Asia/Shanghai or UTC.",
                code="unknown_time_zone",
            ) from None
        return value

    def validate_easy_days(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each easy day once, please.", code="duplicate")
        return sorted(value)

    class Meta:
        model = SchedulerSettings
        fields = (
            "desired_retention",
            "maximum_interval",
            "learning_steps",
            "relearning_steps",
            "enable_fuzzing",
            "new_cards_per_day",
            "max_reviews_per_day",
            "day_starts_at_hour",
            "time_zone",
            "bury_siblings",
            "load_balancing",
            "easy_days",
            "parameters",
            "optimized_at",
            "optimized_on_reviews",
            "optimization_error",
        )
        read_only_fields = ("parameters", "optimized_at", "optimized_on_reviews", "optimization_error")


RETENTION_FORMAT = (
    f"retention is 1 to {workload.MOST_OPTIONS} numbers from {workload.LOWEST} to {workload.HIGHEST}, separated by "
    "commas, e.g. retention=0.85,0.9,0.95"
)


class WorkloadQuerySerializer(serializers.Serializer):
    """The query of ``GET /api/stats/workload/``."""

    retention = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=f"{RETENTION_FORMAT}. Left out or empty: your desired retention and its neighbours 0.05 below and "
        "above.",
        error_messages={"max_length": f"{RETENTION_FORMAT}."},
    )

    def validate_retention(self, raw: str) -> list[float] | None:
        if not raw:
            return None
        parts = raw.split(",")
        if len(parts) > workload.MOST_OPTIONS:
            raise serializers.ValidationError(f"{RETENTION_FORMAT} (got {len(parts)} values).", code="too_many")
        return [self._retention(part.strip()) for part in parts]

    @staticmethod
    def _retention(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not workload.LOWEST <= value <= workload.HIGHEST:  # NaN and infinities fail too
            raise serializers.ValidationError(f"{RETENTION_FORMAT} (got {text[:20]!r}).", code="invalid_retention")
        return value


class WorkloadOptionSerializer(serializers.Serializer):
    retention = serializers.FloatField()
    reviews_per_day = serializers.ListField(child=serializers.IntegerField(), help_text="Day 0 is today.")
    new_cards_per_day = serializers.ListField(child=serializers.IntegerField(), help_text="Cards seen first.")
    memorized_per_day = serializers.ListField(
        child=serializers.FloatField(), help_text="Expected cards recalled: the sum of their chances of recall."
    )
    total_reviews = serializers.IntegerField()
    total_new_cards = serializers.IntegerField()
    mean_reviews_per_day = serializers.FloatField()
    most_reviews_in_a_day = serializers.IntegerField()
    memorized_at_end = serializers.FloatField()


class WorkloadSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="Days simulated, from today.")
    first_day = serializers.DateField(help_text="Today, the learner's study day.")
    language = serializers.ChoiceField(choices=["en", "zh"], help_text="The language of the assumptions.")
    desired_retention = serializers.FloatField()
    parameters = serializers.ChoiceField(choices=["fitted", "default"], help_text="Which FSRS parameters were used.")
    deck_size = serializers.IntegerField(help_text="The learner's cards that are not suspended.")
    new_cards_per_day = serializers.IntegerField()
    max_reviews_per_day = serializers.IntegerField()
    assumptions = serializers.ListField(child=serializers.CharField(), help_text="What the simulation assumes.")
    options = WorkloadOptionSerializer(many=True, help_text="One forecast per retention, lowest first.")
