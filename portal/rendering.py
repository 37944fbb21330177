"""Knowledge-base text to safe HTML: Markdown (markdown-it-py), maths as native MathML (latex2mathml), nh3.

Maths is written ``$...$`` (inline) or ``$$...$$`` (a block) in the concept bodies. The browser typesets MathML
itself, so no JavaScript maths library is needed and the pages read the same with JavaScript off. Everything
goes through nh3 with an allow-list that keeps MathML and drops scripts, event handlers and ``style``
attributes (the pages run under a strict Content-Security-Policy).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape, unescape

import latex2mathml.converter
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

# MathML Core presentation elements (https://www.w3.org/TR/mathml-core/), without annotation-xml, which may hold
# HTML, and without maction, which toggles content.
MATHML_TAGS = {
    "math",
    "merror",
    "mfrac",
    "mi",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mspace",
    "msqrt",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
    "annotation",
}
MATHML_ATTRIBUTES = {
    "math": {"display", "xmlns", "alttext"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mo": {
        "fence",
        "form",
        "largeop",
        "lspace",
        "maxsize",
        "minsize",
        "movablelimits",
        "rspace",
        "separator",
        "stretchy",
        "symmetric",
    },
    "mfrac": {"linethickness"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mspace": {"width", "height", "depth"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mtable": {"columnalign", "columnspacing", "rowspacing", "displaystyle"},
    "mtd": {"columnalign", "columnspan", "rowspan"},
    "annotation": {"encoding"},
}
HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
HTML_ATTRIBUTES = {
    "a": {"href", "title"},
    "div": {"class"},
    "span": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
ALLOWED_TAGS = HTML_TAGS | MATHML_TAGS
ALLOWED_ATTRIBUTES = {**HTML_ATTRIBUTES, **MATHML_ATTRIBUTES}


def sanitize(html: str) -> str:
    """Keep the allow-listed HTML and MathML; drop everything else (scripts, handlers, styles, unknown tags)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def latex_to_mathml(latex: str, *, display: bool) -> str:
    """One formula as a ``<math>`` element; LaTeX that does not convert is shown as escaped code instead."""
    try:
        return latex2mathml.converter.convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - the converter raises many kinds of errors; show the source instead
        return f'<code class="math-error">{escape(latex)}</code>'


# Inline maths does not wrap, so a long inline formula sits in its own box that scrolls sideways on a narrow
# screen; short ones stay plain inline text, on the line's baseline.
LONG_INLINE_MATH = 24  # characters of the formula as read (symbols, digits, letters)


def _math(content: str, options: dict) -> str:
    return latex_to_mathml(content, display=bool(options.get("display_mode")))


def _render_math_inline(self, tokens, idx, options, env) -> str:
    mathml = latex_to_mathml(tokens[idx].content.strip(), display=False)
    shown = unescape(re.sub(r"<[^>]+>", "", mathml))
    css = "math inline scroll-x" if len(shown) > LONG_INLINE_MATH else "math inline"
    return f'<span class="{css}">{mathml}</span>'


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])
    dollarmath_plugin(md, allow_labels=False, renderer=_math)
    md.add_render_rule("math_inline", _render_math_inline)

    # Tables sit in a box that scrolls sideways on narrow screens, so the page itself never does.
    def table_open(self, tokens, idx, options, env):
        return '<div class="scroll-x">' + self.renderToken(tokens, idx, options, env)

    def table_close(self, tokens, idx, options, env):
        return self.renderToken(tokens, idx, options, env) + "</div>\n"

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    return md


_MARKDOWN = _build_markdown()


@lru_cache(maxsize=512)
def render_markdown(text: str) -> SafeString:
    """A concept body (Markdown with ``$`` maths) as sanitised HTML with MathML."""
    return mark_safe(sanitize(_MARKDOWN.render(text)))  # sanitised by nh3 just above


@lru_cache(maxsize=1024)
def render_formula(latex: str) -> SafeString:
    """A displayed formula as sanitised MathML."""
    return mark_safe(sanitize(latex_to_mathml(latex, display=True)))  # sanitised by nh3
