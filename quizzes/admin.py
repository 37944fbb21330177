from django.contrib import admin

from quizzes.models import Question
from quizzes.selectors import question_calibrations


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Read-only: the content files are the source of truth, and the calibration task writes the fitted columns
    (a question never fitted shows the prior difficulty, discrimination 1 and no answers)."""

    list_display = (
        "id",
        "concept",
        "type",
        "answer_count",
        "facility",
        "discrimination",
        "difficulty",
        "calibrated",
        "fitted_at",
    )
    list_filter = ("concept__area", "type", "retired", "calibration__calibrated")
    search_fields = ("id", "concept__slug", "prompt")
    ordering = ("concept__slug", "id")

    def get_queryset(self, request):
        return question_calibrations()

    @admin.display(description="answers", ordering="answer_count")
    def answer_count(self, question):
        return question.answer_count

    @admin.display(description="facility", ordering="facility")
    def facility(self, question):
        return None if question.facility is None else round(question.facility, 3)

    @admin.display(description="discrimination", ordering="discrimination")
    def discrimination(self, question):
        return round(question.discrimination, 3)

    @admin.display(description="difficulty", ordering="difficulty")
    def difficulty(self, question):
        return round(question.difficulty, 3)

    @admin.display(description="calibrated", boolean=True, ordering="calibrated")
    def calibrated(self, question):
        return question.calibrated

    @admin.display(description="fitted at", ordering="fitted_at")
    def fitted_at(self, question):
        return question.fitted_at

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
