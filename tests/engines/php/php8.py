"""Rewriting a PHP 5 engine's test copy for PHP 8: what ``php -l`` refuses, found and mended line by line.

Shared by the engines whose source predates PHP 8 (Beehive Forum, OpenSNS): the cached source is
never changed, only the copy a test installs.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

# ``$s{0}``, ``$a['k']{1}``, ``$this->buf {2}``: string offsets in braces, removed in PHP 8
CURLY = re.compile(r"(\$\w+(?:->\w+)*(?:\s*\[[^\]\[]*\])*)\s*\{([^{}]+)\}")


def lint_error(path: Path) -> tuple[str, int] | None:
    """``php -l``'s complaint about ``path`` and its line, or None when it parses."""
    done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    if done.returncode == 0:
        return None
    m = re.search(r"error:\s+(.*) in .* on line (\d+)", done.stdout + done.stderr)
    return (m.group(1), int(m.group(2))) if m else (done.stdout + done.stderr, 0)


def brace_offsets(site: Path, engine: str) -> None:
    """``$s{0}`` -> ``$s[0]`` on the lines ``php -l`` names, in the files that have such a shape."""
    for path in site.rglob("*.php"):
        if not CURLY.search(path.read_text(encoding="latin-1")):
            continue
        for _ in range(200):
            error = lint_error(path)
            if error is None or "curly braces" not in error[0]:
                break
            lines = path.read_text(encoding="latin-1").split("\n")
            old = lines[error[1] - 1]
            lines[error[1] - 1] = CURLY.sub(r"\1[\2]", old, count=1)
            if lines[error[1] - 1] == old:
                raise RuntimeError(f"{engine}: cannot rewrite {path}:{error[1]}: {old.strip()[:100]}")
            path.write_text("\n".join(lines), encoding="latin-1")
