from django.db import models


class Area(models.TextChoices):
    """The syllabus areas, in the order a course would teach them."""

    FOUNDATIONS = "foundations", "Foundations"
    ACTIVATIONS = "activations", "Activation functions"
    OPTIMIZERS = "optimizers", "Optimization"
    NORMALIZATION = "normalization", "Normalization"
    REGULARIZATION = "regularization", "Regularization"
    CNN = "cnn", "Convolutional networks"
    ARCHITECTURES = "architectures", "Architectures"
    RNN = "rnn", "Recurrent networks"
    DETECTION = "detection", "Object detection"
    PRACTICE = "practice", "Practice"


class Concept(models.Model):
    """One entry of the knowledge base. Loaded from kb/content by ``load_kb``; the files are the source of truth."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    title_zh = models.CharField(max_length=120, help_text="The Chinese term the study notes use.")
    area = models.CharField(max_length=20, choices=Area.choices, db_index=True)
    summary = models.TextField()
    body = models.TextField(help_text="Markdown; $...$ for inline maths.")
    formulas = models.JSONField(default=list, help_text="[{latex, caption, mathml}]")
    pros = models.JSONField(default=list)
    cons = models.JSONField(default=list)
    sources = models.JSONField(default=list, help_text="Seed notes the facts come from.")
    corrections = models.JSONField(default=list, help_text="Where the notes are wrong, what is right.")
    zh = models.JSONField(
        default=dict, blank=True, help_text="The prose in Chinese: summary, body, formulas (captions), pros, cons ..."
    )
    related = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="related_from")
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    content_hash = models.CharField(max_length=64, help_text="Hash of the source file's content, links included.")
    version = models.PositiveIntegerField(default=1, help_text="Incremented each time the content changes.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("area", "title")

    def __str__(self) -> str:
        return f"{self.title} ({self.slug})"
