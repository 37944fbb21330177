import django_filters
from django.db.models import Case, IntegerField, Q, Value, When

from kb.models import Area, Concept

SEARCH_FIELDS = ("title", "title_zh", "summary", "body")


class ConceptFilter(django_filters.FilterSet):
    area = django_filters.ChoiceFilter(choices=Area.choices, help_text="Only concepts of this area.")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Words (English or Chinese) that must all appear in the title, Chinese title, summary or body. "
        "Title matches come first.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("area", "area"), ("slug", "slug"), ("updated_at", "updated_at")),
        help_text="Sort by title, area, slug or updated_at; prefix with - for descending.",
    )

    class Meta:
        model = Concept
        fields = ("area",)

    def filter_search(self, queryset, name, value):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(_any_field_contains(term))
        if not terms:
            return queryset
        in_title = Q()
        for term in terms:
            in_title |= Q(title__icontains=term) | Q(title_zh__icontains=term)
        rank = Case(When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField())
        return queryset.annotate(search_rank=rank).order_by("search_rank", "area", "title")


def _any_field_contains(term: str) -> Q:
    query = Q()
    for field in SEARCH_FIELDS:
        query |= Q(**{f"{field}__icontains": term})
    return query
