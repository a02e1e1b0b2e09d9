"""The stance reader's tables are data files shipped in the package: read once at import, in
order, and a malformed line is one error naming the file and the line or call."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel.running.stance_idioms import IDIOMS_FILE, read_idioms
from panel.running.stance_verbs import VERBS_FILE, Verb, read_verbs
from panel.running.stance_words import NOUN_CALLS, NOUN_CALLS_FILE, read_noun_calls


def test_the_packaged_verb_table_reads_each_flag() -> None:
    table = dict(read_verbs())
    assert next(iter(table)) == r"ship(?:ping)?"  # the order is the file's: first match wins
    assert table[r"ship(?:ping)?"] == Verb("ship", True)
    assert table[r"go(?:ing)? back(?! to)"] == Verb("skip", True, firm=False)
    assert table[r"check(?:ing)? out"] == Verb("ship", False, firm=False, mine=False)
    assert table[r"add(?:ing)?"] == Verb("ship", False, commands=False)
    assert table[r"need"] == Verb("ship", False, lemma="own")
    assert table[r"(?:stick|stay)(?:ing)? (?:with|on|to)"] == Verb(
        "ship", False, keeps=True, lemma="stay"
    )
    assert VERBS_FILE.parent.name == "stance_data"  # inside the package: the wheel ships it


def test_a_verb_form_may_hold_colons_and_blank_or_comment_lines_are_passed_over(
    tmp_path: Path,
) -> None:
    path = tmp_path / "verbs.txt"
    path.write_text("# a note\n\nwait(?::x)? :: skip bare lemma=it\n", encoding="utf-8")
    assert read_verbs(path) == [("wait(?::x)?", Verb("skip", True, lemma="it"))]


@pytest.mark.parametrize("call", ["ship bare loud", "maybe bare", "ship lemma=a lemma=b"])
def test_a_bad_verb_line_names_its_file_and_line(tmp_path: Path, call: str) -> None:
    path = tmp_path / "verbs.txt"
    path.write_text(f"# header\nuse :: ship\nwait :: {call}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^verbs.txt:3: bad stance or flags"):
        read_verbs(path)


def test_the_packaged_noun_calls_fill_in_their_parts() -> None:
    assert read_noun_calls(NOUN_CALLS_FILE) == NOUN_CALLS
    stance, pattern, firm, keys = NOUN_CALLS[0]
    assert (stance, firm, keys) == ("ship", True, ("ship",))
    assert pattern.search("an easy ship for teams") and not pattern.search("a ship-it button")
    assert not any("{" in p.pattern and "GRADE" in p.pattern for _, p, _, _ in NOUN_CALLS)
    assert [keys for _, _, firm, keys in NOUN_CALLS if not firm][0] == ("breaker",)


@pytest.mark.parametrize(
    ("body", "wanted"),
    [
        ('stance = "maybe"\nkeys = ["x"]\npattern = "x"', "bad stance or no keys"),
        ('stance = "ship"\nkeys = []\npattern = "x"', "bad stance or no keys"),
        ('stance = "ship"\nkeys = ["x"]\npattern = "a {GRAD} x"', "unknown part"),
    ],
)
def test_a_bad_noun_call_names_its_file_and_call(tmp_path: Path, body: str, wanted: str) -> None:
    path = tmp_path / "noun_calls.toml"
    good = '[[call]]\nstance = "skip"\nkeys = ["no"]\npattern = "no"\n'
    path.write_text(f"{good}\n[[call]]\n{body}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"^noun_calls.toml: call 2: {wanted}"):
        read_noun_calls(path)


def test_the_packaged_phrase_tables_keep_their_sections_in_order() -> None:
    table = read_idioms()
    assert [i.stance for _, i in table][:1] == ["ship"] and IDIOMS_FILE.parent.name == "stance_data"
    by_section = {(i.stance, i.about, i.choice) for _, i in table}
    assert by_section == {("ship", False, False), ("skip", False, False), ("ship", True, True),
                          ("skip", True, False)}  # fmt: skip
    phrases = [i for key, i in table if key == "brainer"]
    assert any(i.stance == "ship" and i.pattern.search("an absolute no-brainer") for i in phrases)


@pytest.mark.parametrize(
    ("body", "wanted"),
    [
        ("[ship]\nbrainer :: no-brainer\n[maybe]\n", "idioms.txt:3: unknown section"),
        ("# note\nbrainer :: no-brainer\n", "idioms.txt:2: not `keys :: pattern` in a section"),
        ("[skip]\n\nbad :: (?:unclosed\n", "idioms.txt:3: bad pattern"),
    ],
)
def test_a_bad_phrase_line_names_its_file_and_line(tmp_path: Path, body: str, wanted: str) -> None:
    path = tmp_path / "idioms.txt"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{wanted}"):
        read_idioms(path)
