"""The maps agree with the house: every package README's layout and docs/architecture.md name exists, every
package is named in both, and every file path README, SECURITY.md, architecture.md and the deployment guide cite exists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kebabalab"
DOCS = ("README.md", "SECURITY.md", "docs/architecture.md", "deployment/README.md")
CITED_PATH = re.compile(r"(?<![\w./-])((?:kebabalab|tests|docs|config|deployment|scripts|bench|archive)/[\w./-]*\w)")


def packages() -> set[str]:
    """The folders of kebabalab/ that hold code or data (not caches)."""
    return {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}


def readme_layout_packages() -> set[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Project layout", 1)[1].split("```", 2)[1]
    return set(re.findall(r"^  (\w+)/ ", block, re.M))


def architecture_packages() -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    return set(re.findall(r"^\| `(\w+)/` \|", text, re.M))


@pytest.mark.parametrize("named", [readme_layout_packages, architecture_packages], ids=["README", "architecture"])
def test_every_package_is_named_and_every_named_package_exists(named):
    assert named() == packages()


@pytest.mark.parametrize("doc", DOCS)
def test_every_file_path_a_document_cites_exists(doc):
    cited = set(CITED_PATH.findall((ROOT / doc).read_text()))
    assert cited, f"{doc} cites no path: the pattern no longer finds them"
    assert sorted(path for path in cited if not (ROOT / path).exists()) == []


def test_the_path_check_sees_a_missing_file():
    assert CITED_PATH.findall("see `kebabalab/nowhere/orders.py` and /etc/kebabalab/kebabalab.env") == [
        "kebabalab/nowhere/orders.py"]
