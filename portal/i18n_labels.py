"""Strings that come from other apps at run time and that the portal shows translated.

``makemessages`` cannot see strings that live in another app's code without gettext (the area labels of
``kb.models.Area``, the messages of ``common.accounts``), so they are listed here for extraction; templates
and views translate them with ``gettext(value)`` at run time. ``tests/portal`` checks that every area label
has a Chinese translation, so a new area cannot slip through untranslated.
"""

from django.utils.translation import gettext_noop

AREA_LABELS = (
    gettext_noop("Foundations"),
    gettext_noop("Activation functions"),
    gettext_noop("Optimization"),
    gettext_noop("Normalization"),
    gettext_noop("Regularization"),
    gettext_noop("Convolutional networks"),
    gettext_noop("Architectures"),
    gettext_noop("Recurrent networks"),
    gettext_noop("Object detection"),
    gettext_noop("Practice"),
)

SERVICE_MESSAGES = (gettext_noop("This username is taken."),)
