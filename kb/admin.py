from django.contrib import admin

from kb.models import Concept


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    """Read-only: the content files are the source of truth and `load_kb` would overwrite edits made here."""

    list_display = ("title", "title_zh", "area", "slug", "version", "updated_at")
    list_filter = ("area",)
    search_fields = ("slug", "title", "title_zh", "summary", "body")
    ordering = ("area", "title")
    readonly_fields = ("related", "prerequisites")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
