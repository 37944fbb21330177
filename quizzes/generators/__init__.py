"""Parametric question generators for the question bank.

A question of type ``parametric`` names one of the generators; the service draws a variant with
``generate(name, seed)``. The seed and the variant's parameters are stored with the learner's attempt, so a
variant must be a pure function of the seed: the same name and seed always give the same prompt, answer,
tolerance and explanation.

One module per topic registers its generators (``registry.register``); every random draw goes through
``draws`` (only ``rng.random()``, which Python keeps stable across versions), and ``numbers`` writes exact
numbers and builds the variants. Arithmetic is done on exact fractions wherever the result is rational, so the
answers do not depend on floating-point rounding order.

Pure Python on purpose: no Django and no torch import, so the package can be used anywhere (the tests check
the answers against torch).
"""

# Importing a topic module registers its generators; GENERATORS lists them in this order, the notes' order.
# isort: off
from quizzes.generators import convolution, optimizers, learning_rates, calculus, detection, regularization  # noqa: F401

# isort: on
from quizzes.generators.calculus import numerical_derivative
from quizzes.generators.convolution import conv_output_length, receptive_field_size
from quizzes.generators.detection import box_iou
from quizzes.generators.registry import GENERATORS, Variant, generate

__all__ = [
    "GENERATORS",
    "Variant",
    "box_iou",
    "conv_output_length",
    "generate",
    "numerical_derivative",
    "receptive_field_size",
]
