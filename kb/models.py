import re
import unicodedata

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


# Other names of each area that a learner may search for, Chinese first (the first one is the area's Chinese
# name); ``kb.selectors.search_concepts`` turns a query word equal to one of them into an area match.
AREA_NAMES_ZH = {
    Area.FOUNDATIONS: ("深度学习基础", "基础", "机器学习基础", "数学基础"),
    Area.ACTIVATIONS: ("激活函数", "激活"),
    Area.OPTIMIZERS: ("优化算法", "优化器", "优化", "优化方法"),
    Area.NORMALIZATION: ("归一化", "标准化", "规范化", "正规化"),
    Area.REGULARIZATION: ("正则化", "正则"),
    Area.CNN: ("卷积神经网络", "卷积网络"),
    Area.ARCHITECTURES: ("网络架构", "经典网络", "网络结构", "经典卷积网络", "架构"),
    Area.RNN: ("循环神经网络", "循环网络", "序列模型"),
    Area.DETECTION: ("目标检测", "物体检测", "检测"),
    Area.PRACTICE: ("实践", "训练实践", "实战"),
}
AREA_NAMES_EN = {
    Area.FOUNDATIONS: ("basics", "fundamentals"),
    Area.ACTIVATIONS: ("activation", "activation function"),
    Area.OPTIMIZERS: ("optimizer", "optimizers", "optimiser", "optimisers", "optimisation", "optimization algorithms"),
    Area.NORMALIZATION: ("normalisation",),
    Area.REGULARIZATION: ("regularisation", "regulariser", "regularizer"),
    Area.CNN: ("CNN", "CNNs", "ConvNet", "convolutional neural network", "convolutional neural networks"),
    Area.ARCHITECTURES: ("architecture", "classic networks", "classic CNNs"),
    Area.RNN: ("RNNs", "recurrent", "sequence models"),
    Area.DETECTION: ("object detection", "detector"),
    Area.PRACTICE: ("in practice",),
}


def search_key(text: str) -> str:
    """``text`` as search compares it: full-width forms folded to half-width (NFKC), case folded, and every
    character that is not a letter or a digit dropped (spaces, hyphens, underscores, brackets ...), so that
    ``Batch-Normalization``, ``batch normalization`` and the same in full-width letters compare equal."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u00d7", "x")  # the multiplication sign: 1x1
    return "".join(char for char in text if char.isalnum())


def search_prose(text: str) -> str:
    """Prose as search compares it: like ``search_key`` but hyphens and underscores join, and other
    separators become single spaces, so a body still has its word boundaries."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u00d7", "x")  # the multiplication sign: 1x1
    text = re.sub(r"[-_\u2010-\u2015]+", "", text)
    return " ".join("".join(char if char.isalnum() else " " for char in text).split())


SEARCH_SEPARATOR = "|"  # between the names in Concept.search_names, and around them


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
    aliases = models.JSONField(default=list, blank=True, help_text="Other names and abbreviations, for search.")
    pytorch = models.JSONField(default=dict, blank=True, help_text="An 'In PyTorch' snippet: {code, output}.")
    figures = models.JSONField(default=list, blank=True, help_text="[{file, alt, alt_zh}] in kb/static/kb/figures/.")
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Written on save: slug, titles and aliases (search_key), each between | (|bn|batchnorm|).",
    )
    search_text = models.TextField(
        blank=True, editable=False, help_text="Written on save: English and Chinese summary and body, search_prose."
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

    def save(self, *args, **kwargs):
        self.search_names, self.search_text = search_columns(self)
        super().save(*args, **kwargs)

    @property
    def search_matched_words(self) -> list[str]:
        """The query words this concept matched, where it came from ``kb.selectors.search_concepts``."""
        if "search_matched" not in self.__dict__:
            raise AttributeError("search_matched_words: the concept does not come from a search")
        return [word for word in self.__dict__["search_matched"].split("\x1f") if word]


def search_columns(concept) -> tuple[str, str]:
    """``(search_names, search_text)`` of a concept (or of a migration's historical concept)."""
    names = [concept.slug, concept.title, concept.title_zh, *(concept.aliases or [])]
    keys: list[str] = []
    for name in names:
        # "Pooling (Max and Average)" is also found as "Pooling" and as "Max and Average"
        outside = re.sub(r"[(（][^)）]*[)）]", " ", name)
        inside = re.findall(r"[(（]([^)）]*)[)）]", name)
        for variant in (name, outside, *inside):
            key = search_key(variant)
            if key and key not in keys:
                keys.append(key)
    zh = concept.zh or {}
    prose = [concept.summary, concept.body, zh.get("summary", ""), zh.get("body", "")]
    names_column = SEARCH_SEPARATOR + SEARCH_SEPARATOR.join(keys) + SEARCH_SEPARATOR
    return names_column, search_prose("\n".join(text for text in prose if isinstance(text, str)))
