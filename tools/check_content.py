"""Quick standalone check of kb/content YAML files (the loader does the full validation)."""

import pathlib
import re
import sys

import latex2mathml.converter
import yaml

AREAS = [
    "foundations",
    "activations",
    "optimizers",
    "normalization",
    "regularization",
    "cnn",
    "architectures",
    "rnn",
    "detection",
    "practice",
]
REQUIRED = ("slug", "title", "title_zh", "area", "summary", "body", "sources")
ok = True
for path in sys.argv[1:] or sorted(pathlib.Path("kb/content").glob("*/*.yaml")):
    path = pathlib.Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = [f"missing {f}" for f in REQUIRED if not data.get(f)]
    if data.get("slug") != path.stem:
        problems.append("slug differs from file name")
    if data.get("area") not in AREAS or data.get("area") != path.parent.name:
        problems.append("bad area / folder")
    if not re.search(r"[\u4e00-\u9fff]", str(data.get("title_zh", ""))):
        problems.append("title_zh has no Chinese characters")
    if not set(map(str, data.get("sources", []))) <= {"000", "001", "002", "003"}:
        problems.append("sources must be among 000 001 002 003")
    for f in data.get("formulas") or []:
        try:
            latex2mathml.converter.convert(f["latex"])
        except Exception as exc:  # noqa: BLE001 - report any converter failure
            problems.append(f"formula {f.get('latex')!r}: {exc}")
        if not f.get("caption"):
            problems.append(f"formula {f.get('latex')!r} has no caption")
    print(f"{'OK ' if not problems else 'BAD'} {path}" + "".join(f"\n    {p}" for p in problems))
    ok &= not problems
sys.exit(0 if ok else 1)
