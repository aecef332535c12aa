"""Loading a rulebook validates it and reports problems with file and line."""

from __future__ import annotations

import pytest

from serentak.compliance.rulebook import RulebookError, load_rulebook

GOOD = """\
rules:
  - id: a
    category: c
    severity: block
    patterns:
      - phrase: judi
    explanation: contoh
    source: contoh
"""


def problems(tmp_path, text: str, name: str = "r.yaml") -> list[str]:
    (tmp_path / name).write_text(text)
    with pytest.raises(RulebookError) as info:
        load_rulebook(tmp_path)
    return [str(p) for p in info.value.problems]


def test_the_shipped_rulebook_loads_and_has_every_category():
    book = load_rulebook()
    categories = {rule.category for rule in book.rules}
    assert {
        "covid_medical_supply", "election_neutrality", "quiet_period", "quick_count",
        "personal_data", "gambling", "regulated_goods", "hate_speech", "profanity",
        "engagement_bait",
    } <= categories  # fmt: skip
    assert len(book.elections) == 2
    assert len(book.version) == 16


def test_a_good_file_loads(tmp_path):
    (tmp_path / "r.yaml").write_text(GOOD)
    assert [rule.id for rule in load_rulebook(tmp_path).rules] == ["a"]


def test_an_unknown_key_is_reported_with_its_line(tmp_path):
    found = problems(tmp_path, GOOD + "    colour: red\n")
    assert found == [f"{tmp_path / 'r.yaml'}:9: unknown key 'colour' in a rule"]


def test_a_bad_severity_is_reported(tmp_path):
    (found,) = problems(tmp_path, GOOD.replace("severity: block", "severity: fatal"))
    assert found.startswith(f"{tmp_path / 'r.yaml'}:4: severity must be one of")


def test_a_bad_date_is_reported(tmp_path):
    (found,) = problems(tmp_path, GOOD + "    from: 2020-02-31\n")
    assert ":9: from must be a date YYYY-MM-DD" in found


def test_a_bad_regex_is_reported(tmp_path):
    (found,) = problems(tmp_path, GOOD.replace("phrase: judi", "regex: '(judi'"))
    assert ":6: bad regex '(judi'" in found


def test_a_duplicate_id_is_reported_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (found,) = problems(tmp_path, GOOD, name="b.yaml")
    assert found.startswith(f"{tmp_path / 'b.yaml'}:2: duplicate id 'a' (first at ")


def test_an_unknown_detector_and_broken_yaml_are_reported(tmp_path):
    (found,) = problems(tmp_path, GOOD.replace("phrase: judi", "detector: npwp"))
    assert "unknown detector 'npwp'" in found
    (found,) = problems(tmp_path, "rules: [\n")
    assert str(tmp_path / "r.yaml") in found


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(RulebookError, match=r"no \*\.yaml"):
        load_rulebook(tmp_path)
