"""A cached virtualenv per forum engine, built from PyPI on first use.

Forum engines pin their own Django and friends, which must never leak into the
project's environment, so each engine gets its own virtualenv under
``~/.cache/forumcrawl/engines/<engine>-<version>`` (or ``$FORUMCRAWL_ENGINE_CACHE``),
built with ``python -m venv`` + ``pip install`` of the engine's fully pinned
requirements file. A marker file holding the requirements' hash says the build
finished; a lock file keeps two test processes from building it at once.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MARKER = ".forumcrawl-ready"


class EngineInstallError(RuntimeError):
    """pip could not install the engine (for example: PyPI unreachable)."""


def cache_root() -> Path:
    """Where engine virtualenvs live."""
    env = os.environ.get("FORUMCRAWL_ENGINE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "forumcrawl" / "engines"


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(name: str, requirements: Path, *, log=None) -> Path:
    """Return the engine's virtualenv, building it first when missing or stale.

    Raises :class:`EngineInstallError` when pip fails.
    """
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / name
    marker = venv / MARKER
    if marker.is_file() and marker.read_text().strip() == digest:
        return venv
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        if marker.is_file() and marker.read_text().strip() == digest:
            return venv
        started = time.monotonic()
        if venv.exists():
            shutil.rmtree(venv)
        _run([sys.executable, "-m", "venv", str(venv)], "create the virtualenv")
        _run([str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--no-input", "--no-deps", "-r", str(requirements)], f"pip install {requirements.name}")
        _run([str(venv_python(venv)), "-m", "pip", "check", "--disable-pip-version-check"], "pip check")
        marker.write_text(digest + "\n")
        if log:
            log(f"built {venv} in {time.monotonic() - started:.0f} s")
    return venv


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise EngineInstallError(f"could not {what} (exit {proc.returncode}):\n{tail}")
