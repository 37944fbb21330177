from django.apps import AppConfig


class DemosConfig(AppConfig):
    name = "demos"

    def ready(self):
        from kb.extensions import register_demo_finder

        register_demo_finder(demo_links)


def demo_links(concept_slug: str) -> list[dict]:
    """The demos that show a concept, for its entry in the knowledge base."""
    from demos.catalog import demos_for_concept  # imports torch: only when a concept is shown

    return [{"name": demo.name, "title": demo.title, "shows": demo.shows} for demo in demos_for_concept(concept_slug)]
