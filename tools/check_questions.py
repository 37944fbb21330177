"""Quick standalone check of quizzes/content YAML files (the loader does the full validation)."""

import pathlib
import sys

import yaml

TYPES = {"single", "multiple", "true_false", "numeric", "cloze", "parametric"}
GENERATORS = {
    "conv_output_size",
    "pool_output_size",
    "conv_param_count",
    "receptive_field",
    "adam_bias_correction",
    "lr_decay",
    "numerical_gradient",
    "iou",
    "dropout_scaling",
}
concepts = {p.stem for p in pathlib.Path("kb/content").glob("*/*.yaml")}
ok, seen = True, set()
for path in map(pathlib.Path, sys.argv[1:] or sorted(pathlib.Path("quizzes/content").glob("*/*.yaml"))):
    problems = []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data.get("concept") != path.stem or path.stem not in concepts:
        problems.append("concept must equal the file name and be a known concept slug")
    questions = data.get("questions") or []
    if len(questions) < 3:
        problems.append("needs at least 3 questions")
    for q in questions:
        qid, kind = q.get("id"), q.get("type")
        where = f"{qid}: "
        if not qid or qid in seen:
            problems.append(where + "missing or duplicate id")
        seen.add(qid)
        if kind not in TYPES:
            problems.append(where + f"bad type {kind}")
            continue
        if kind != "parametric" and not (q.get("prompt") and q.get("explanation")):
            problems.append(where + "prompt and explanation are required")
        for other in q.get("also_concepts", []):
            if other not in concepts:
                problems.append(where + f"unknown concept {other}")
        if kind in ("single", "multiple"):
            choices = q.get("choices") or []
            correct = [c for c in choices if c.get("correct")]
            if not 3 <= len(choices) <= 6 or len({c.get("key") for c in choices}) != len(choices):
                problems.append(where + "3-6 choices with distinct keys")
            if (kind == "single" and len(correct) != 1) or (kind == "multiple" and not correct):
                problems.append(where + "wrong number of correct choices")
            if any(not c.get("text") for c in choices):
                problems.append(where + "choice without text")
        elif kind == "true_false" and not isinstance(q.get("answer"), bool):
            problems.append(where + "answer must be true or false")
        elif kind == "numeric" and not isinstance(q.get("answer"), int | float):
            problems.append(where + "answer must be a number")
        elif kind == "cloze":
            blanks = q.get("blanks") or []
            if q.get("prompt", "").count("___") != len(blanks) or not all(isinstance(b, list) and b for b in blanks):
                problems.append(where + "one ___ per blank, each blank a non-empty list of accepted answers")
        elif kind == "parametric" and q.get("generator") not in GENERATORS:
            problems.append(where + f"unknown generator {q.get('generator')}")
    print(
        f"{'OK ' if not problems else 'BAD'} {path} ({len(questions)} questions)"
        + "".join(f"\n    {p}" for p in problems)
    )
    ok &= not problems
sys.exit(0 if ok else 1)
