# Card, ReviewLog and SchedulerSettings now belong to the cards app (cards.0001 took them over, tables and all).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0002_card_reviewlog_schedulersettings_card_card_due_idx_and_more'),
        ('cards', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='ReviewLog'),
                migrations.DeleteModel(name='Card'),
                migrations.DeleteModel(name='SchedulerSettings'),
            ],
        ),
    ]
