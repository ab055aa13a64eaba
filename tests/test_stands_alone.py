"""The repository stands alone: no file of it names a document outside it, and every relative link
of its Markdown files leads to a file or folder inside it."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[1]
# Documents that lived beside the repository, not in it; spelled in pieces so this file does not
# name them itself.
OUTSIDE = [name + ".md" for name in ("DES" + "IGN", "STY" + "LE", "PAP" + "ERS")] + [
    "../" + "shared"
]
TEXT = (".py", ".md", ".yaml", ".yml", ".toml", ".j2", ".cfg", ".txt", ".cff", ".ipynb", "Makefile")


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / f for f in out.stdout.splitlines() if f.endswith(TEXT) and (ROOT / f).is_file()]


def _references(paths: list[Path]) -> list[str]:
    return [
        f"{path.name}: {name}"
        for path in paths
        for name in OUTSIDE
        if name in path.read_text(errors="replace")
    ]


def test_no_file_names_a_document_outside_the_repository():
    assert not _references(_tracked())


def test_the_check_sees_a_reference_when_there_is_one(tmp_path):
    """The control: the same search finds each name in a docstring and in a config comment."""
    for i, name in enumerate(OUTSIDE):
        (tmp_path / f"m{i}.py").write_text(f'"""The rule of {name}, "Outcome"."""\n')
        (tmp_path / f"c{i}.yaml").write_text(f"seed: 0  # as in {name}\n")
    assert len(_references(sorted(tmp_path.iterdir()))) == 2 * len(OUTSIDE)


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_markdown_link_stays_inside_and_exists():
    broken = []
    for path in _tracked():
        if path.suffix != ".md":
            continue
        for target in LINK.findall(path.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{path.relative_to(ROOT)} → {target}")
    assert not broken
