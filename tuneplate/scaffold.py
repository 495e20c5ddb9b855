"""`tuneplate new-vertical`: start a domain project from the same five files as ours.

The files are rendered from Jinja2 templates in `tuneplate.templates/scaffold/`.
They are Python, not HTML, so this environment does not autoescape.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

import tuneplate
from tuneplate.engine.errors import TuneplateError

TASKS = ("binary",)
PACKAGE_FILES = ("__init__.py", "space.py", "metrics.py", "checks.py", "data.py")


def code_environment(folder: str) -> Environment:
    """Jinja2 for generated source files (not HTML, so no autoescape)."""
    return Environment(
        loader=PackageLoader("tuneplate.templates", folder),
        autoescape=False,  # generated source code; nothing here reaches a browser
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_env = code_environment("scaffold")


def normalise(name: str) -> tuple[str, str]:
    """The CLI name and the Python package name: `Churn Risk` -> ("churn-risk", "churn_risk").

    Example:
        >>> normalise("churn-risk")
        ('churn-risk', 'churn_risk')
    """
    package = re.sub(r"[\s\-]+", "_", name.strip().lower())
    if not package.isidentifier() or keyword.iskeyword(package) or package.startswith("_"):
        raise TuneplateError(
            f"{name!r} cannot name a vertical: use letters, digits, '-' or '_', "
            "starting with a letter (e.g. churn-risk)"
        )
    return package.replace("_", "-"), package


def new_vertical(name: str, directory: str | Path = ".", task: str = "binary") -> Path:
    """Write a new vertical project into `directory/NAME` and return its folder.

    Example:
        >>> new_vertical("churn", "projects")
        PosixPath('projects/churn')
    """
    if task not in TASKS:
        raise TuneplateError(
            f"--task {task!r} is not available yet; choose one of: {', '.join(TASKS)} "
            "(ranking templates arrive with the recommendation engine)"
        )
    cli_name, package = normalise(name)
    from tuneplate.verticals import VERTICALS

    if cli_name in VERTICALS:
        raise TuneplateError(f"{cli_name!r} is a built-in vertical; choose another name")
    root = Path(directory) / cli_name
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise TuneplateError(
            f"{str(root)!r} already exists and is not empty; nothing was written. "
            "Choose another name or --dir"
        )
    context = {
        "name": cli_name,
        "package": package,
        "distribution": f"tuneplate-{cli_name}",
        "title": cli_name.replace("-", " ").capitalize(),
        "summary": f"{cli_name.replace('-', ' ')} prediction; ROC AUC and events found "
        "per share of cases acted on",
        "rows": 600,
        "tuneplate_version": tuneplate.__version__,
    }
    files = {f"{package}/{f}": f"{f}.jinja2" for f in PACKAGE_FILES}
    files |= {
        f"tests/test_{package}.py": "test_vertical.py.jinja2",
        "pyproject.toml": "pyproject.toml.jinja2",
        "README.md": "README.md.jinja2",
    }
    for target, template in files.items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_env.get_template(template).render(**context), encoding="utf-8")
    return root
