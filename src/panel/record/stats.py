"""Statistics for panel's numbers: pure functions, standard library only.

Each function follows a textbook definition, named in its docstring, and is
tested against published worked examples (tests/test_statistics.py):

- `wilson_interval`: Wilson's score interval for a binomial proportion
  (Wilson 1927; Newcombe 1998, method 3, no continuity correction).
- `bootstrap_mean_interval`: the percentile bootstrap interval of a mean
  (Efron and Tibshirani 1993, ch. 13), seeded so a record is reproducible.
- `fleiss_kappa`: agreement of a fixed number of raters per subject beyond
  chance (Fleiss 1971).
- `cohen_kappa`: agreement of two raters beyond chance (Cohen 1960); it is
  undefined, with a reason, when chance agreement is 1 (neither side varies
  in a way that leaves room for disagreement).
- `percent_agreement`: the plain share of matching pairs.
- `jaccard`: token-set Jaccard similarity of two texts' content words, the
  measure behind the persona-collapse flag (`COLLAPSE_THRESHOLD`).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import chain
from statistics import fmean

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 15

# Two quotes of different reviewers on the same tool whose content-word sets overlap this much
# (token-set Jaccard) read as one voice. Calibrated on the two reference pages in shared/reference:
# distinct reviewers on the same tool share 0.00-0.11 of their content words, a quote reworded in
# a few places shares 0.6 or more; 0.3, about three times the most distinct reviewers share, flags
# a pair well before it reads as a copy.
COLLAPSE_THRESHOLD = 0.3


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Kappa:
    """A kappa, or None with the reason it is undefined."""

    value: float | None
    reason: str = ""


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval | None:
    """Wilson's score interval for successes/trials; None when there are no trials."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, not {successes}")
    p = successes / trials
    z2 = z * z
    centre = p + z2 / (2 * trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    denominator = 1 + z2 / trials
    return Interval(
        low=max(0.0, (centre - half) / denominator), high=min(1.0, (centre + half) / denominator)
    )


def bootstrap_mean_interval(
    values: Sequence[float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> Interval | None:
    """Percentile bootstrap interval of the mean; the same values and seed give the same one."""
    if not values:
        return None
    data = list(values)
    rng = random.Random(seed)
    n = len(data)
    means = sorted(fmean(rng.choices(data, k=n)) for _ in range(resamples))
    tail = (1 - level) / 2
    return Interval(low=_quantile(means, tail), high=_quantile(means, 1 - tail))


def cluster_bootstrap_mean_interval(
    groups: Sequence[Sequence[float]],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> Interval | None:
    """Percentile bootstrap of the mean over clusters (a reviewer's samples are one cluster):
    whole clusters are drawn, so repeats of one reviewer never count as independent ratings.
    With one value per cluster it is `bootstrap_mean_interval` exactly (same draws)."""
    clusters = [list(group) for group in groups if group]
    if not clusters:
        return None
    rng = random.Random(seed)
    n = len(clusters)
    # All the draws at once: `choices` takes one random() a draw whatever it draws from, so
    # these are the draws of `resamples` calls of k=n, in order; each mean is fmean's (the fsum
    # of the drawn values over their count), ten times faster than one call a resample.
    if all(len(cluster) == 1 for cluster in clusters):  # one answer a reviewer: no --samples
        values = rng.choices([cluster[0] for cluster in clusters], k=n * resamples)
        means = [math.fsum(values[at : at + n]) / n for at in range(0, n * resamples, n)]
    else:
        drawn = rng.choices(clusters, k=n * resamples)
        means = []
        for at in range(0, n * resamples, n):
            batch = drawn[at : at + n]
            means.append(math.fsum(chain.from_iterable(batch)) / sum(map(len, batch)))
    means.sort()
    tail = (1 - level) / 2
    return Interval(low=_quantile(means, tail), high=_quantile(means, 1 - tail))


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between order statistics (the default of numpy and R type 7)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def fleiss_kappa(table: Sequence[Sequence[int]]) -> Kappa:
    """Fleiss' kappa from a subjects x categories table of rating counts.

    Every subject must have the same number of ratings n >= 2. P_i is the
    share of agreeing rater pairs on subject i, P-bar their mean, P_e the sum
    of squared category shares, and kappa = (P-bar - P_e) / (1 - P_e).
    """
    rows = [list(row) for row in table if sum(row) > 0]
    if not rows:
        return Kappa(None, "no ratings")
    raters = sum(rows[0])
    if any(sum(row) != raters for row in rows):
        return Kappa(None, "subjects have different numbers of ratings")
    if raters < 2:
        return Kappa(None, "fewer than two ratings per subject")
    subjects = len(rows)
    total = subjects * raters
    shares = [sum(row[j] for row in rows) / total for j in range(len(rows[0]))]
    agreement = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in rows]
    observed = fmean(agreement)
    expected = sum(p * p for p in shares)
    if math.isclose(expected, 1.0):
        return Kappa(None, "every rating is in one category, so agreement by chance is certain")
    return Kappa((observed - expected) / (1 - expected))


def category_table(
    ratings: Sequence[Sequence[Hashable]], categories: Sequence[Hashable]
) -> list[list[int]]:
    """Per subject, how many raters chose each category (the input of `fleiss_kappa`)."""
    return [[list(subject).count(category) for category in categories] for subject in ratings]


def cohen_kappa(
    pairs: Sequence[tuple[Hashable, Hashable]], sides: tuple[str, str] = ("the first", "the second")
) -> Kappa:
    """Cohen's kappa of two raters over the same subjects: (p_o - p_e) / (1 - p_e).

    Undefined when either rater gives one category everywhere: then no
    disagreement beyond chance can be measured.
    """
    if not pairs:
        return Kappa(None, "no subjects rated by both")
    n = len(pairs)
    firsts = [a for a, _ in pairs]
    seconds = [b for _, b in pairs]
    sided = zip(sides, (firsts, seconds), strict=True)
    constant = [name for name, side in sided if len(set(side)) == 1]
    if constant:
        which = "both" if len(constant) == 2 else constant[0]
        return Kappa(None, f"undefined: {which} gave the same rating to every subject")
    observed = sum(a == b for a, b in pairs) / n
    categories = set(firsts) | set(seconds)
    expected = sum((firsts.count(c) / n) * (seconds.count(c) / n) for c in categories)
    return Kappa((observed - expected) / (1 - expected))


def percent_agreement(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Share of pairs that agree, from 0 to 1; None with no pairs."""
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_STOPWORD_TEXT = """
a about after all also am an and any are as at be because been but by can could did do does for
from had has have he her here his how i if in into is it its it's just me more most my no not of on
one only or our out so some such than that the their them then there these they this those to too
up us very was we were what when where which while who why will with would you your
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def content_words(text: str) -> frozenset[str]:
    """Lower-cased words, stop words left out."""
    return frozenset(word for word in _WORD.findall(text.lower()) if word not in STOPWORDS)


def jaccard(first: str, second: str) -> float:
    """Token-set Jaccard similarity of two texts: shared content words over all content words."""
    a, b = content_words(first), content_words(second)
    union = a | b
    return len(a & b) / len(union) if union else 1.0
