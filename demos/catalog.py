"""The registry of demos, with what the service needs on top of the Demo contract. No Django here."""

from __future__ import annotations

import hashlib
import inspect
import json
from functools import cache
from typing import Any

from demos.trainings import (
    activation_gradients,
    attention_reverse,
    base,
    batch_size,
    cnn_vs_mlp,
    conv_arithmetic,
    gradient_checking,
    imbalanced_data,
    l1_vs_l2,
    learning_rate_schedules,
    non_max_suppression,
    normalization,
    optimizers,
    regularization,
    residual_depth,
    rnn_long_dependency,
    weight_initialization,
)
from demos.trainings.base import Demo

# To add a demo: write demos/trainings/<name>.py defining DEMO, import it above and list it here.
MODULES = (
    activation_gradients,
    weight_initialization,
    gradient_checking,
    optimizers,
    learning_rate_schedules,
    batch_size,
    normalization,
    regularization,
    l1_vs_l2,
    cnn_vs_mlp,
    conv_arithmetic,
    rnn_long_dependency,
    attention_reverse,
    residual_depth,
    non_max_suppression,
    imbalanced_data,
)
CATALOG: dict[str, Demo] = {module.DEMO.name: module.DEMO for module in MODULES}


class UnknownDemo(KeyError):
    def __init__(self, name: str):
        super().__init__(name)
        self.message = f"No demo named '{name}'. Known demos: {', '.join(sorted(CATALOG))}."


def get_demo(name: str) -> Demo:
    try:
        return CATALOG[name]
    except KeyError:
        raise UnknownDemo(name) from None


@cache
def code_version(name: str) -> str:
    """Changes whenever the demo's module or the shared contract changes, so cached results are never stale."""
    module = next(m for m in MODULES if m.DEMO.name == name)
    source = inspect.getsource(base) + inspect.getsource(module)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def cache_key(name: str, params: dict[str, Any], queue: str) -> str:
    payload = json.dumps([name, params, code_version(name), queue], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def demos_for_concept(slug: str) -> list[Demo]:
    return [demo for demo in CATALOG.values() if slug in demo.concepts]
