"""Every "In PyTorch" snippet of the knowledge base runs and prints exactly the output its entry shows."""

import ast
import contextlib
import io
import sys
import time

import pytest
import torch
import yaml
from django.conf import settings

from kb.extras import parse_pytorch

MIN_SNIPPETS = 40
CPU_SECONDS_PER_SNIPPET = 2.0  # the snippets take well under 0.5 s; this only catches a runaway one
ALLOWED_IMPORTS = {"torch"} | set(sys.stdlib_module_names)


def _fail(field, message):
    raise AssertionError(f"{field}: {message}")


def _snippets() -> dict[str, dict]:
    """``{slug: {code, output}}`` for every concept file with a ``pytorch`` field, normalised as the loader does.

    Each file is read on its own, so a problem in another field of some file does not hide the snippets."""
    snippets = {}
    for path in sorted(settings.KB_CONTENT_DIR.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "pytorch" in data:
            snippets[path.stem] = parse_pytorch(data["pytorch"], _fail)
    return snippets


SNIPPETS = _snippets()


@pytest.fixture(scope="module", autouse=True)
def warm_torch():
    """The first optimizer built in a process imports torch's compiler stack (seconds); do it once, up front,
    so the time of each snippet is its own."""
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def run_snippet(code: str) -> tuple[str, float]:
    """Run ``code`` in a fresh namespace on one torch thread; return what it printed and the CPU seconds it took.

    Global torch state a snippet may change (print options, grad mode, default dtype, threads) is restored."""
    threads, grad_enabled, dtype = torch.get_num_threads(), torch.is_grad_enabled(), torch.get_default_dtype()
    torch.set_num_threads(1)
    stdout = io.StringIO()
    start = time.process_time()
    try:
        with contextlib.redirect_stdout(stdout):
            exec(compile(code, "<snippet>", "exec"), {"__name__": "__main__"})
    finally:
        seconds = time.process_time() - start
        torch.set_printoptions(profile="default")
        torch.set_grad_enabled(grad_enabled)
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
    return stdout.getvalue(), seconds


def test_at_least_forty_concepts_have_a_snippet():
    assert len(SNIPPETS) >= MIN_SNIPPETS, sorted(SNIPPETS)


@pytest.mark.parametrize("slug", sorted(SNIPPETS))
def test_snippet_prints_the_output_its_entry_shows(slug):
    snippet = SNIPPETS[slug]
    printed, seconds = run_snippet(snippet["code"])
    assert printed == snippet["output"], f"{slug}: the entry shows\n{snippet['output']}but the code prints\n{printed}"
    assert seconds < CPU_SECONDS_PER_SNIPPET, f"{slug} took {seconds:.2f} s of CPU"


@pytest.mark.parametrize("slug", sorted(SNIPPETS))
def test_snippet_imports_only_torch_and_the_standard_library(slug):
    tree = ast.parse(SNIPPETS[slug]["code"])
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in modules} <= ALLOWED_IMPORTS, modules


def test_a_snippet_cannot_leak_print_options_or_grad_mode():
    run_snippet("import torch\ntorch.set_printoptions(precision=1)\ntorch.set_grad_enabled(False)\n")
    assert torch.is_grad_enabled()
    printed, _ = run_snippet("import torch\nprint(torch.tensor([1.23456]))\n")
    assert printed == "tensor([1.2346])\n"
