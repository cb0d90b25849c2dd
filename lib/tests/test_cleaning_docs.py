"""docs/cleaning.md lists every output column and every problem code, as the code has them."""

from lib.cleaning.docs import DOC, columns_table, generated_part, rules_table
from lib.cleaning.pipeline import OUTPUT_COLUMNS
from lib.cleaning.rules import RULES


def test_the_documented_problem_codes_are_exactly_the_rules():
    text = DOC.read_text(encoding="utf-8")
    assert generated_part(text, "rules") == rules_table(), (
        "run: .venv/bin/python -m lib.cleaning.docs"
    )
    for code, rule in RULES.items():
        assert f"| `{code}` |" in text
        assert rule.title_vi in text and rule.title_en in text


def test_the_documented_columns_are_exactly_the_output_columns():
    text = DOC.read_text(encoding="utf-8")
    assert generated_part(text, "columns") == columns_table(), (
        "run: .venv/bin/python -m lib.cleaning.docs"
    )
    for column in OUTPUT_COLUMNS:
        assert f"| `{column}` |" in text


def test_the_document_is_vietnamese_first():
    text = DOC.read_text(encoding="utf-8")
    assert text.index("Làm sạch") < text.index("## English")
