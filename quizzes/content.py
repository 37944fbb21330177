"""Reading and validating the question bank (quizzes/content/<area>/<concept-slug>.yaml). No database here."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from kb.content import ContentError, Problem
from quizzes.generators import GENERATORS
from quizzes.models import QuestionType

COMMON = {"id", "type", "prompt", "explanation", "also_concepts", "zh"}
BY_TYPE = {
    QuestionType.SINGLE: {"choices"},
    QuestionType.MULTIPLE: {"choices"},
    QuestionType.TRUE_FALSE: {"answer"},
    QuestionType.NUMERIC: {"answer", "tolerance", "unit"},
    QuestionType.CLOZE: {"blanks"},
    QuestionType.PARAMETRIC: {"generator"},
}
BLANK = "___"


@dataclass(frozen=True)
class QuestionSource:
    id: str
    concept: str
    also_concepts: list[str]
    type: str
    prompt: str
    spec: dict
    explanation: str
    path: str
    zh: dict = field(default_factory=dict)  # prompt, explanation, choices {key: {text, feedback}}, blanks, unit

    def content_hash(self) -> str:
        data = {key: value for key, value in asdict(self).items() if key != "path"}
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def read_questions(content_dir: Path, concept_slugs: set[str]) -> list[QuestionSource]:
    """Parse and validate every question file; raise ContentError listing every problem."""
    problems: list[Problem] = []
    questions: list[QuestionSource] = []
    for path in sorted(Path(content_dir).glob("*/*.yaml")):
        parsed, file_problems = _parse_file(path, concept_slugs)
        questions += parsed
        problems += file_problems
    seen: dict[str, str] = {}
    for question in questions:
        if question.id in seen:
            problems.append(Problem(question.path, question.id, f"id is also used in {seen[question.id]}"))
        seen.setdefault(question.id, question.path)
    if problems:
        raise ContentError(problems)
    return questions


def _shown(path: Path) -> str:
    shown = os.path.relpath(path)
    return str(path) if shown.startswith("..") else shown


def _parse_file(path: Path, concept_slugs: set[str]) -> tuple[list[QuestionSource], list[Problem]]:
    shown = _shown(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return [], [Problem(shown, "", f"not valid YAML: {exc}".replace("\n", " "))]
    if not isinstance(data, dict) or set(data) != {"concept", "questions"}:
        return [], [Problem(shown, "", "must be a mapping with exactly the keys concept and questions")]
    concept = data["concept"]
    if concept != path.stem or concept not in concept_slugs:
        return [], [Problem(shown, "concept", f"'{concept}' must be a known concept slug equal to the file name")]
    if not isinstance(data["questions"], list) or not data["questions"]:
        return [], [Problem(shown, "questions", "must be a non-empty list")]
    questions, problems = [], []
    for index, raw in enumerate(data["questions"]):
        label = raw.get("id") if isinstance(raw, dict) and raw.get("id") else f"questions[{index}]"
        errors = _question_errors(raw, concept_slugs)
        problems += [Problem(shown, label, message) for message in errors]
        if not errors:
            questions.append(_to_source(raw, concept, shown))
    return questions, problems


def _question_errors(raw, concept_slugs: set[str]) -> list[str]:
    if not isinstance(raw, dict):
        return ["must be a mapping"]
    kind = raw.get("type")
    if kind not in BY_TYPE:
        return [f"type must be one of {', '.join(BY_TYPE)}"]
    errors = [f"unknown field '{key}' for type {kind}" for key in raw if key not in COMMON | BY_TYPE[kind]]
    if not isinstance(raw.get("id"), str) or not raw["id"].replace("-", "").isalnum() or raw["id"] != raw["id"].lower():
        errors.append("id must be lower-case letters, digits and hyphens")
    if kind != QuestionType.PARAMETRIC:
        for key in ("prompt", "explanation"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                errors.append(f"{key} is required text")
    also = raw.get("also_concepts", [])
    if not isinstance(also, list) or any(slug not in concept_slugs for slug in also):
        errors.append(f"also_concepts must list known concept slugs, got {also}")
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        errors += _choice_errors(raw.get("choices"), kind)
    elif kind == QuestionType.TRUE_FALSE and not isinstance(raw.get("answer"), bool):
        errors.append("answer must be true or false")
    elif kind == QuestionType.NUMERIC:
        if not _is_number(raw.get("answer")):
            errors.append("answer must be a number")
        if not _is_number(raw.get("tolerance", 0)) or raw.get("tolerance", 0) < 0:
            errors.append("tolerance must be a number of at least 0")
    elif kind == QuestionType.CLOZE:
        blanks = raw.get("blanks")
        if not isinstance(blanks, list) or not all(isinstance(b, list) and b for b in blanks):
            errors.append("blanks must be a list with one non-empty list of accepted answers per blank")
        elif str(raw.get("prompt", "")).count(BLANK) != len(blanks):
            errors.append(f"the prompt must contain {BLANK} once per blank ({len(blanks)})")
    elif kind == QuestionType.PARAMETRIC and raw.get("generator") not in GENERATORS:
        errors.append(f"generator must be one of {', '.join(GENERATORS)}")
    if kind != QuestionType.PARAMETRIC and "zh" not in raw:
        errors.append("zh is required: the question in Chinese (prompt, explanation, choices ...)")
    elif "zh" in raw and not errors:
        errors += _chinese_errors(raw)
    return errors


def _chinese_errors(raw: dict) -> list[str]:
    """The ``zh`` block mirrors the English: same choice keys, feedback where the English has it, same blanks."""
    zh, kind = raw["zh"], raw["type"]
    if kind == QuestionType.PARAMETRIC:
        return ["zh: parametric questions are written by their generator; leave zh out"]
    if not isinstance(zh, dict):
        return ["zh must be a mapping"]
    allowed = {"prompt", "explanation"} | {"choices", "blanks", "unit"} & BY_TYPE[kind]
    errors = [f"zh: unknown field '{key}'" for key in zh if key not in allowed]
    errors += [f"zh.{key} is required text" for key in ("prompt", "explanation") if not _text(zh.get(key))]
    if "choices" in BY_TYPE[kind]:
        english = {str(c["key"]): c for c in raw["choices"]}
        chinese = zh.get("choices")
        if not isinstance(chinese, dict) or set(map(str, chinese)) != set(english):
            return [*errors, f"zh.choices must translate exactly the choices {', '.join(english)}"]
        for key, choice in chinese.items():
            wanted = {"text", "feedback"} if english[str(key)].get("feedback") else {"text"}
            if not isinstance(choice, dict) or set(choice) != wanted or not all(map(_text, choice.values())):
                errors.append(f"zh.choices.{key} must have exactly {' and '.join(sorted(wanted))} as text")
    if kind == QuestionType.CLOZE:
        blanks = zh.get("blanks", [[] for _ in raw["blanks"]])
        if str(zh.get("prompt", "")).count(BLANK) != len(raw["blanks"]):
            errors.append(f"zh.prompt must contain {BLANK} once per blank ({len(raw['blanks'])})")
        if (
            not isinstance(blanks, list)
            or len(blanks) != len(raw["blanks"])
            or not all(isinstance(b, list) for b in blanks)
        ):
            errors.append("zh.blanks must have one list of further accepted answers per blank")
    if "unit" in zh and not (_text(zh["unit"]) and raw.get("unit")):
        errors.append("zh.unit translates the English unit; the question has none")
    return errors


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _choice_errors(choices, kind: str) -> list[str]:
    if not isinstance(choices, list) or not 2 <= len(choices) <= 8:
        return ["choices must be a list of 2 to 8 {key, text} items"]
    if not all(isinstance(c, dict) and c.get("key") and c.get("text") for c in choices):
        return ["every choice needs a key and a text"]
    if any(set(c) - {"key", "text", "correct", "feedback"} for c in choices):
        return ["choices may only have key, text, correct and feedback"]
    errors = []
    if len({str(c["key"]) for c in choices}) != len(choices):
        errors.append("choice keys must be distinct")
    correct = sum(1 for c in choices if c.get("correct") is True)
    if (kind == QuestionType.SINGLE and correct != 1) or correct == 0:
        errors.append("single needs exactly one correct choice, multiple at least one")
    return errors


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _to_source(raw: dict, concept: str, shown: str) -> QuestionSource:
    spec = {key: raw[key] for key in BY_TYPE[raw["type"]] if key in raw}
    if "choices" in spec:
        spec["choices"] = [{**c, "key": str(c["key"]), "correct": c.get("correct") is True} for c in spec["choices"]]
    if raw["type"] == QuestionType.CLOZE:
        spec["blanks"] = [[str(answer) for answer in blank] for blank in spec["blanks"]]
    return QuestionSource(
        id=raw["id"],
        concept=concept,
        also_concepts=list(raw.get("also_concepts", [])),
        type=raw["type"],
        prompt=str(raw.get("prompt", "")).strip(),
        spec=spec,
        explanation=str(raw.get("explanation", "")).strip(),
        path=shown,
        zh=raw.get("zh", {}),
    )
