import django_filters

from demos.catalog import CATALOG
from demos.models import DemoRun, RunStatus


class DemoRunFilter(django_filters.FilterSet):
    demo = django_filters.ChoiceFilter(choices=[(name, name) for name in sorted(CATALOG)])
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    ordering = django_filters.OrderingFilter(fields=(("queued_at", "queued_at"), ("finished_at", "finished_at")))

    class Meta:
        model = DemoRun
        fields = ("demo", "status")
