from django.db import migrations, models


def fill_search_columns(apps, schema_editor):
    """Concepts loaded before this migration get their search columns now; later loads write them on save."""
    from kb.models import search_columns

    Concept = apps.get_model("kb", "Concept")
    for concept in Concept.objects.all():
        concept.search_names, concept.search_text = search_columns(concept)
        concept.save(update_fields=["search_names", "search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0003_concept_extras"),
    ]

    operations = [
        migrations.AddField(
            model_name="concept",
            name="search_names",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text=("Written on save: slug, titles and aliases (search_key), each between | (|bn|batchnorm|)."),
            ),
        ),
        migrations.AddField(
            model_name="concept",
            name="search_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Written on save: English and Chinese summary and body, search_prose.",
            ),
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
    ]
