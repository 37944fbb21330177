"""Interval previews stored on the card, and an index for today's queue.

Existing cards keep every field; their ``previews`` start empty, and the due list computes the previews of a card
without stored ones (``cards.scheduling.current_previews``) until its next review stores them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0003_study_day"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="previews",
            field=models.JSONField(
                blank=True,
                editable=False,
                help_text="The interval each rating gives, stored when it is scheduled.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="card",
            index=models.Index(fields=["owner", "suspended", "state", "due"], name="card_queue_idx"),
        ),
    ]
