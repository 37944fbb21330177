from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cards', '0001_initial'),
        ('quizzes', '0003_cards_moved_to_cards_app'),
    ]

    operations = [
        migrations.AlterModelTable(name='card', table=None),
        migrations.AlterModelTable(name='reviewlog', table=None),
        migrations.AlterModelTable(name='schedulersettings', table=None),
    ]
