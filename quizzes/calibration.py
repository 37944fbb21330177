"""Item-response calibration of the question bank: pure functions over numpy arrays, no Django.

The model is the two-parameter logistic (2PL): a learner of ability θ has the expected score
P = 1 / (1 + exp(-a (θ - b))) on a question of difficulty b and discrimination a (Rasch where a = 1).

Scores are fractions in [0, 1] (multiple choice and cloze give partial credit) and enter the likelihood as
fractional outcomes, y log P + (1 - y) log(1 - P). Thresholding them would throw partial credit away, and the
fractional form is still maximised where the expected score matches the observed mean.

Questions are fitted by marginal maximum likelihood: each learner's ability is integrated out over a standard
normal population on a grid, which fixes the scale (a joint fit of abilities and questions can trade shrunken
abilities for inflated discriminations). Weak priors on difficulties and log discriminations keep questions that
everybody (or nobody) got right finite. A learner's ability is then the posterior mean on the same grid, with
the posterior standard deviation as its standard error, in the batch fit and after each answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.special import expit, logsumexp, softmax

ABILITY_PRIOR_SD = 1.0
DIFFICULTY_PRIOR_SD = 2.0
LOG_DISCRIMINATION_PRIOR_SD = 0.5
ABILITY_BOUND = 6.0  # logits; beyond it every question of a sensible bank is certain
LOG_DISCRIMINATION_BOUND = 2.0  # discriminations between 0.14 and 7.4
PRIOR_DIFFICULTY = 0.0  # what a question with too few answers is assumed to be: as hard as the average
GRID = np.linspace(-ABILITY_BOUND, ABILITY_BOUND, 41)  # abilities at which posteriors are evaluated
LOG_PRIOR = np.log(softmax(-(GRID**2) / (2 * ABILITY_PRIOR_SD**2)))  # the normal prior's weights on the grid


@dataclass(frozen=True)
class Answers:
    """One answer per row: who (an index of learner and area), which question (an index), and its score."""

    person: np.ndarray
    item: np.ndarray
    score: np.ndarray


@dataclass(frozen=True)
class Fit:
    difficulty: np.ndarray
    discrimination: np.ndarray
    ability: np.ndarray
    ability_se: np.ndarray


def probability(ability, difficulty, discrimination) -> np.ndarray:
    return expit(discrimination * (ability - difficulty))


def information(ability, difficulty, discrimination) -> np.ndarray:
    """Fisher information of a question about the ability: a² P (1 - P)."""
    expected = probability(ability, difficulty, discrimination)
    return discrimination**2 * expected * (1 - expected)


def fit(
    answers: Answers,
    n_persons: int,
    prior_difficulty: np.ndarray,
    fit_difficulty: np.ndarray,
    fit_discrimination: np.ndarray,
) -> Fit:
    """Parameters for the questions marked in ``fit_difficulty`` (and discriminations where
    ``fit_discrimination``; the other questions keep ``prior_difficulty`` and a = 1), then every person's ability."""
    free_b, free_a = np.flatnonzero(fit_difficulty), np.flatnonzero(fit_difficulty & fit_discrimination)
    prior_mean = np.concatenate([prior_difficulty[free_b], np.zeros(len(free_a))])
    precision = np.concatenate(
        [np.full(len(free_b), DIFFICULTY_PRIOR_SD**-2), np.full(len(free_a), LOG_DISCRIMINATION_PRIOR_SD**-2)]
    )
    design = _Design(answers, n_persons, len(prior_difficulty))

    def unpack(x):
        difficulty, log_a = prior_difficulty.astype(float).copy(), np.zeros(len(prior_difficulty))
        difficulty[free_b], log_a[free_a] = x[: len(free_b)], x[len(free_b) :]
        return difficulty, np.exp(log_a)

    def objective(x):
        difficulty, discrimination = unpack(x)
        z, expected, log_likelihood = design.on_grid(difficulty, discrimination)
        posterior = softmax(log_likelihood + LOG_PRIOR, axis=1)
        # Bock and Aitkin's expected counts: how many of a question's answerers sit at each grid ability.
        counts = np.asarray(design.incidence.T @ posterior)
        score_weighted_ability = design.scored.T @ (posterior @ GRID)  # Σ y θ̄ over each question's answers
        right = design.item_totals
        d_difficulty = -discrimination * ((expected * counts).sum(axis=1) - right)
        d_log_a = (z * expected * counts).sum(axis=1) - discrimination * (score_weighted_ability - difficulty * right)
        gradient = np.concatenate([d_difficulty[free_b], d_log_a[free_a]])
        loss = -logsumexp(log_likelihood + LOG_PRIOR, axis=1).sum() + np.sum(precision * (x - prior_mean) ** 2) / 2
        return loss, gradient + precision * (x - prior_mean)

    limit = np.concatenate([np.full(len(free_b), ABILITY_BOUND), np.full(len(free_a), LOG_DISCRIMINATION_BOUND)])
    solution = prior_mean
    if prior_mean.size:
        bounds = optimize.Bounds(-limit, limit)
        solution = optimize.minimize(objective, prior_mean, jac=True, method="L-BFGS-B", bounds=bounds).x
    difficulty, discrimination = unpack(solution)
    ability, ability_se = _posterior_mean_and_sd(design.on_grid(difficulty, discrimination)[2])
    return Fit(difficulty, discrimination, ability, ability_se)


def estimate_ability(scores, difficulty, discrimination) -> tuple[float, float]:
    """One learner's ability and its standard error from their scores on questions of known parameters."""
    scores = np.asarray(scores, dtype=float)
    design = _Design(Answers(np.zeros(len(scores), dtype=int), np.arange(len(scores)), scores), 1, len(scores))
    difficulty, discrimination = np.asarray(difficulty, dtype=float), np.asarray(discrimination, dtype=float)
    ability, error = _posterior_mean_and_sd(design.on_grid(difficulty, discrimination)[2])
    return float(ability[0]), float(error[0])


class _Design:
    """The answers as sparse person-by-question matrices. A person's log likelihood at ability θ is
    Σ y a (θ - b) - Σ log(1 + e^(a (θ - b))): the first sum is linear in θ and the second depends on the question
    only, so the transcendental functions run once per question and grid point, not once per answer."""

    def __init__(self, answers: Answers, n_persons: int, n_items: int):
        shape = (n_persons, n_items)
        self.incidence = sparse.csr_matrix((np.ones(len(answers.score)), (answers.person, answers.item)), shape)
        self.scored = sparse.csr_matrix((answers.score, (answers.person, answers.item)), shape)
        self.item_totals = np.bincount(answers.item, answers.score, n_items)

    def on_grid(self, difficulty, discrimination) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per question and grid ability, the logit and the expected score; per person, the log likelihood."""
        z = discrimination[:, None] * (GRID[None, :] - difficulty[:, None])
        small = np.exp(-np.abs(z))  # one exponential serves both the expected score and log(1 + e^z)
        expected = np.where(z >= 0, 1.0, small) / (1 + small)
        softplus = np.maximum(z, 0) + np.log1p(small)
        linear = self.scored @ discrimination, self.scored @ (discrimination * difficulty)
        log_likelihood = np.outer(linear[0], GRID) - linear[1][:, None] - self.incidence @ softplus
        return z, expected, np.asarray(log_likelihood)


def _posterior_mean_and_sd(log_likelihood: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    posterior = softmax(log_likelihood + LOG_PRIOR, axis=1)
    mean = posterior @ GRID
    return mean, np.sqrt(np.maximum(posterior @ GRID**2 - mean**2, 0.0))
