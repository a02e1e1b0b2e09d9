"""Benchmark: the stance reader on the hand-written review corpus (tests/data/stance/).

For each part of the corpus, in the order it was written (tune: the rules were built on it; each
later part was written before the rules saw it, scored once as it stood, then used to improve
them: its first-look figures, the honest estimate for unseen prose, are in
tests/data/stance/README.md), it prints the figures after tuning:

- false re-asks: passages read under their own verdict that would be re-asked (no-call passages
  are read under both verdicts), out of all consistent readings. Target: at most 2%.
- catches: passages that state their call in words, read under the opposite verdict, that would
  be re-asked. Target: at least 80%. Passages whose call is only implied are shown apart.
- CPU per quote: `read` on every passage, and on quotes of about 1,000 characters (the page's
  length) built from them, median of 5 rounds. Target: well under 1 ms.

`--corpus DIR` scores a folder of parts kept outside the repository (real review prose, the same
`[[passage]]` format) as one set instead: its totals, then each miss and false re-ask with its
text. `--totals-only` prints the totals alone, no id and no passage text: for a held-out folder
whose passages must stay unread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from _common import ROOT, header

sys.path.insert(0, str(ROOT))

from panel.running.stance import read  # noqa: E402
from tests import stance_corpus as corpus  # noqa: E402

ROUNDS = 5


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def _figures() -> None:
    print(f"{'part':8} {'false re-asks':>18} {'worded caught':>18} {'implied caught':>16}")
    for half in (*corpus.HALVES, *corpus.UNTUNED):
        score = corpus.score(corpus.load(half))
        implied = len(score.caught) - score.caught_worded
        label = f"{half}*" if half in corpus.UNTUNED else half
        print(
            f"{label:8} {_percent(len(score.false_reasks), score.consistent):>18} "
            f"{_percent(score.caught_worded, score.worded):>18} "
            f"{_percent(implied, score.calls - score.worded):>16}"
        )
        if score.false_reasks or score.missed:
            print(f"{'':8} false: {score.false_reasks or '-'}  missed: {score.missed or '-'}")
    if corpus.UNTUNED:
        print("* never tuned for its catches")


def _quotes_of(length: int, passages: list[corpus.Passage]) -> list[corpus.Passage]:
    """Passages joined until each is about `length` characters, as a cell's quote is."""
    quotes, text = [], ""
    for passage in passages:
        text = f"{text} {passage.text}".strip()
        if len(text) >= length:
            quotes.append(corpus.Passage("q", "none", False, passage.tool, passage.rivals, text))
            text = ""
    return quotes


def _cpu_per_quote(passages: list[corpus.Passage]) -> float:
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for passage in passages:
            read(passage.text, "ship", name=passage.tool, rivals=passage.rivals)
        rounds.append((time.process_time() - started) / len(passages))
    return statistics.median(rounds)


def _outside(folder: Path, *, totals_only: bool) -> None:
    """Totals on an outside folder; with them, unless `totals_only`, what each miss says."""
    passages = corpus.load_folder(folder)
    score = corpus.score(passages)
    calls = {p.call for p in passages}
    counts = ", ".join(f"{len([p for p in passages if p.call == c])} {c}" for c in sorted(calls))
    implied = len(score.caught) - score.caught_worded
    print(f"{len(passages)} passages ({counts}) in {folder}")
    print(f"false re-asks:  {_percent(len(score.false_reasks), score.consistent)}")
    print(f"worded caught:  {_percent(score.caught_worded, score.worded)}")
    print(f"implied caught: {_percent(implied, score.calls - score.worded)}")
    print(f"CPU per passage: {1000 * _cpu_per_quote(passages):.3f} ms")
    if totals_only:
        return
    by_id = {p.id: p for p in passages}
    for label, ids in (("FALSE RE-ASK", score.false_reasks), ("MISSED", score.missed)):
        for passage_id in ids:
            passage = by_id[passage_id]
            print(f"\n{label} {passage_id} ({passage.call}, {passage.tool}): {passage.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--corpus", type=Path, help="score this folder of parts (or this one part) instead"
    )
    parser.add_argument("--totals-only", action="store_true", help="no ids, no passage text")
    args = parser.parse_args()
    if args.corpus is not None:
        try:
            _outside(args.corpus, totals_only=args.totals_only)
        except (OSError, ValueError) as exc:  # tomllib's errors are ValueErrors too
            sys.exit(f"stance_corpus: {exc}")
        return
    header("stance reader on the review corpus")
    _figures()
    passages = [p for half in (*corpus.HALVES, *corpus.UNTUNED) for p in corpus.load(half)]
    quotes = _quotes_of(1000, passages)
    mean_chars = statistics.mean(len(p.text) for p in passages)
    print(
        f"CPU per passage ({len(passages)}, {mean_chars:.0f} chars on average): "
        f"{1000 * _cpu_per_quote(passages):.3f} ms"
    )
    mean_chars = statistics.mean(len(q.text) for q in quotes)
    print(
        f"CPU per quote ({len(quotes)} quotes of {mean_chars:.0f} chars on average): "
        f"{1000 * _cpu_per_quote(quotes):.3f} ms (target: well under 1 ms)"
    )


if __name__ == "__main__":
    main()
