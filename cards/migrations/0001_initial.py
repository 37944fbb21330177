# The flashcard models moved from quizzes to cards. Their tables stay as they are (state only here), so
# existing installs keep every card, review and setting; 0002 then renames the tables.

import cards.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('kb', '0001_initial'),
        ('quizzes', '0002_card_reviewlog_schedulersettings_card_card_due_idx_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Card',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(help_text='concept:<slug>:<kind>[:<n>] or question:<id>', max_length=200)),
                        ('kind', models.CharField(choices=[('definition', 'Definition'), ('formula', 'Formula'), ('pros_cons', 'Pros and cons'), ('cloze', 'Cloze'), ('question', 'Quiz question')], max_length=12)),
                        ('front', models.TextField()),
                        ('back', models.TextField()),
                        ('state', models.PositiveSmallIntegerField(choices=[(1, 'Learning'), (2, 'Review'), (3, 'Relearning')], default=1)),
                        ('step', models.PositiveSmallIntegerField(blank=True, default=0, null=True)),
                        ('stability', models.FloatField(blank=True, null=True)),
                        ('difficulty', models.FloatField(blank=True, null=True)),
                        ('due', models.DateTimeField()),
                        ('last_review', models.DateTimeField(blank=True, null=True)),
                        ('reps', models.PositiveIntegerField(default=0)),
                        ('lapses', models.PositiveIntegerField(default=0)),
                        ('leech', models.BooleanField(default=False)),
                        ('suspended', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('concept', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cards', to='kb.concept')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cards', to=settings.AUTH_USER_MODEL)),
                        ('question', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cards', to='quizzes.question')),
                    ],
                    options={
                        'db_table': 'quizzes_card',
                        'ordering': ('due', 'id'),
                    },
                ),
                migrations.CreateModel(
                    name='ReviewLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('review_id', models.UUIDField()),
                        ('rating', models.PositiveSmallIntegerField()),
                        ('reviewed_at', models.DateTimeField()),
                        ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('state_before', models.PositiveSmallIntegerField(choices=[(1, 'Learning'), (2, 'Review'), (3, 'Relearning')])),
                        ('state_after', models.PositiveSmallIntegerField(choices=[(1, 'Learning'), (2, 'Review'), (3, 'Relearning')])),
                        ('due_before', models.DateTimeField()),
                        ('due_after', models.DateTimeField()),
                        ('stability_after', models.FloatField()),
                        ('difficulty_after', models.FloatField()),
                        ('card', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='cards.card')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'quizzes_reviewlog',
                        'ordering': ('reviewed_at', 'id'),
                    },
                ),
                migrations.CreateModel(
                    name='SchedulerSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('desired_retention', models.FloatField(default=0.9)),
                        ('maximum_interval', models.PositiveIntegerField(default=36500, help_text='Days.')),
                        ('learning_steps', models.JSONField(default=cards.models.default_learning_steps, help_text='Minutes between learning reviews.')),
                        ('relearning_steps', models.JSONField(default=cards.models.default_relearning_steps, help_text='Minutes, after a lapse.')),
                        ('enable_fuzzing', models.BooleanField(default=True)),
                        ('parameters', models.JSONField(blank=True, help_text='Fitted FSRS weights; null: the defaults.', null=True)),
                        ('optimized_at', models.DateTimeField(blank=True, null=True)),
                        ('optimized_on_reviews', models.PositiveIntegerField(blank=True, null=True)),
                        ('optimization_error', models.TextField(blank=True)),
                        ('owner', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='scheduler', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={'db_table': 'quizzes_schedulersettings'},
                ),
                migrations.AddIndex(
                    model_name='card',
                    index=models.Index(fields=['owner', 'suspended', 'due'], name='card_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='card',
                    index=models.Index(fields=['owner', 'leech'], name='card_leech_idx'),
                ),
                migrations.AddConstraint(
                    model_name='card',
                    constraint=models.UniqueConstraint(fields=('owner', 'key'), name='one_card_per_key_and_owner'),
                ),
                migrations.AddIndex(
                    model_name='reviewlog',
                    index=models.Index(fields=['owner', 'reviewed_at'], name='review_owner_time_idx'),
                ),
                migrations.AddIndex(
                    model_name='reviewlog',
                    index=models.Index(fields=['card', 'reviewed_at'], name='review_card_time_idx'),
                ),
                migrations.AddConstraint(
                    model_name='reviewlog',
                    constraint=models.UniqueConstraint(fields=('owner', 'review_id'), name='one_review_per_client_id'),
                ),
            ],
        ),
    ]
