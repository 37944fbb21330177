"""portal.rendering: Markdown and maths to sanitised HTML with native MathML."""

from portal.rendering import render_formula, render_markdown, sanitize


def test_markdown_with_inline_and_block_maths():
    html = render_markdown("**Adam** uses $\\hat{m}_t$ and\n\n$$\\frac{a}{b}$$\n")
    assert "<strong>Adam</strong>" in html
    assert '<span class="math inline"><math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert '<div class="math block">' in html
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow><mfrac>' in html


def test_a_table_scrolls_inside_its_own_box():
    html = render_markdown("| layer | size |\n|:--|--:|\n| conv | $28^2$ |\n")
    assert html.startswith('<div class="scroll-x"><table>')
    assert "<td>conv</td>" in html
    assert "style" not in html  # markdown-it's column alignment is a style attribute; the CSP forbids those


def test_latex_that_does_not_convert_is_shown_as_code():
    html = render_markdown("broken $x^$ here")
    assert '<code class="math-error">x^</code>' in html


def test_raw_html_and_scripts_never_pass():
    html = render_markdown(
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://e.org)"
    )
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://e.org" rel="noopener noreferrer">ok</a>' in html


def test_the_sanitiser_keeps_mathml_and_drops_what_is_dangerous():
    dirty = (
        '<math display="block"><mi onclick="alert(1)" style="color:red" mathvariant="bold">x</mi>'
        '<mtext><a href="javascript:alert(1)">y</a></mtext><script>alert(2)</script></math>'
        '<p style="position:fixed">text</p><iframe src="https://e.org"></iframe>'
    )
    clean = sanitize(dirty)
    assert '<math display="block"><mi mathvariant="bold">x</mi>' in clean
    for bad in ("onclick", "style", "javascript", "<script", "<iframe", "alert(2)"):
        assert bad not in clean
    assert "<p>text</p>" in clean


def test_a_formula_is_displayed_mathml():
    html = render_formula("\\sigma(z) = \\frac{1}{1 + e^{-z}}")
    assert html.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert "<mfrac>" in html
