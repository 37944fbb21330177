import django_filters

from kb.models import Area, Concept
from kb.selectors import search_concepts


class ConceptFilter(django_filters.FilterSet):
    area = django_filters.ChoiceFilter(choices=Area.choices, help_text="Only concepts of this area.")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Words in English or Chinese, as typed: case, hyphens, spaces and full-width forms do not matter. "
        "Matches titles, aliases and abbreviations (BN, 批归一化), area names (优化器) and the prose. Whole-name "
        "matches first, then part of a name, the area, the prose. When no concept matches every word, concepts "
        "matching some come, most first; each result then lists its matched words.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("area", "area"), ("slug", "slug"), ("updated_at", "updated_at")),
        help_text="Sort by title, area, slug or updated_at; prefix with - for descending.",
    )

    class Meta:
        model = Concept
        fields = ("area",)

    def filter_search(self, queryset, name, value):
        return search_concepts(queryset, value)
