"""The W3C's Nu HTML checker (vnu): one run of Java over a folder of pages.

`make test` puts the checker's jar, from the npm registry's vnu-jar package, at VNU_JAR
(see the Makefile); it needs Java 17 or newer."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = PROJECT_ROOT / ".venv" / "vnu" / "vnu.jar"
JAVA = shutil.which("java")

# Errors only: the warnings are a matter of style, and nearly all of those the pages get
# come from the Django admin's own app list. No language detection: it only ever warns.
VNU_OPTIONS = ["--errors-only", "--no-langdetect", "--format", "json", "--exit-zero-always"]
# One short run: the first, cheaper tier of the JIT compiler halves the CPU time it takes
# (its larger frames overflow the default 1 MB stack in vnu's schema checks, hence -Xss),
# and a single-threaded collector halves the memory.
JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss4m", "-XX:+UseSerialGC"]

# A page with one error among those checked: a run that finds none read nothing.
CANARY_NAME = "canary.html"
CANARY = '<!DOCTYPE html><html lang="en"><title>Canary</title><b disabled>Canary</b></html>'


@dataclass(frozen=True)
class Message:
    file: str  # the checked file's name
    line: int
    column: int
    text: str
    extract: str  # the markup around the error, as vnu quotes it


def vnu_require() -> None:
    """Skip the test when Java or the checker is missing; in CI, fail it."""
    if JAVA is None:
        missing = "no java on the PATH (apt-get install default-jre-headless)"
    elif not VNU_JAR.exists():
        missing = f"no Nu HTML checker at {VNU_JAR.relative_to(PROJECT_ROOT)} (make test gets it)"
    else:
        return
    if os.environ.get("CI"):
        pytest.fail(missing + "; CI must check the pages' HTML")
    pytest.skip(missing)


def vnu_check(folder: Path) -> list[Message]:
    """The errors vnu finds in the .html files of `folder`, checked in one run."""
    (folder / CANARY_NAME).write_text(CANARY)
    run = subprocess.run(
        [JAVA, *JVM_OPTIONS, "-jar", str(VNU_JAR), *VNU_OPTIONS, "--stdout", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        raise RuntimeError(f"vnu gave no report (exit {run.returncode}): {run.stderr}") from None
    errors = [
        Message(
            file=message.get("url", "").rsplit("/", 1)[-1],
            line=message.get("lastLine", 0),
            column=message.get("firstColumn", message.get("lastColumn", 0)),
            text=message["message"],
            extract=message.get("extract", ""),
        )
        for message in messages
        # A message about a file vnu could not read is an error too ("non-document-error").
        if message["type"] in ("error", "non-document-error")
    ]
    if not any(error.file == CANARY_NAME for error in errors):
        raise RuntimeError(f"vnu missed the error in {CANARY_NAME}: it checked nothing")
    return [error for error in errors if error.file != CANARY_NAME]
