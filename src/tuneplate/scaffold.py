"""`tuneplate new-vertical`: start a domain project from the same five files as ours.

The files are rendered from Jinja2 templates: `tuneplate.templates/scaffold/` for a
binary task, `scaffold_ranking/` for a ranking one (README and pyproject are shared).
They are Python, not HTML, so this environment does not autoescape.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import shutil
import sys
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

import tuneplate
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.runs.writable import require_creatable

TASKS = ("binary", "ranking")  # the keys of _TASK_ENVS, listed in --help
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
# Each task's five files and contract test; the pyproject and README are shared.
_TASK_ENVS = {"binary": _env, "ranking": code_environment("scaffold_ranking")}
SUMMARIES = {
    "binary": "{words} prediction; ROC AUC and events found per share of cases acted on",
    "ranking": "ranks items for each user from past behaviour; NDCG@k against popularity",
}


def normalise(name: str) -> tuple[str, str]:
    """The CLI name and the Python package name: `Churn Risk` -> ("churn-risk", "churn_risk").

    Example:
        >>> normalise("churn-risk")
        ('churn-risk', 'churn_risk')
    """
    package = re.sub(r"[\s\-]+", "_", name.strip().lower())
    if (keyword.iskeyword(package) or keyword.issoftkeyword(package)) and package != "_":
        raise TuneplateError(
            f"{name!r} cannot name a vertical: {package!r} is a Python keyword; choose "
            f"another name (e.g. {package}-risk)"
        )
    if (
        not package.isascii()  # a package and distribution name (PEP 508) is ASCII
        or not package.isidentifier()
        or package.startswith("_")
        or package.endswith("_")  # "tuneplate-churn-" is no distribution name (PEP 508)
    ):
        raise TuneplateError(
            f"{name!r} cannot name a vertical: use ASCII letters, digits, '-' or '_', "
            "starting with a letter and ending with a letter or digit (e.g. churn-risk)"
        )
    # Installing a package named like an importable one (pandas, idna, tuneplate) would
    # shadow or overwrite it, and its entry point would load the other package.
    if package in sys.stdlib_module_names or importlib.util.find_spec(package) is not None:
        raise TuneplateError(
            f"{name!r} cannot name a vertical: Python already imports a module "
            f"{package!r} here, which the vertical's package would shadow or overwrite; "
            f"choose another name (e.g. {package}-vertical)"
        )
    return package.replace("_", "-"), package


def new_vertical(name: str, directory: str | Path = ".", task: str = "binary") -> Path:
    """Write a new vertical project into `directory/NAME` and return its folder.

    Example:
        >>> new_vertical("churn", "projects")
        PosixPath('projects/churn')
    """
    if task not in TASKS:
        raise TuneplateError(f"--task {task!r} is not available; choose one of: {', '.join(TASKS)}")
    cli_name, package = normalise(name)
    from tuneplate.verticals import VERTICALS

    if cli_name in VERTICALS:
        raise TuneplateError(f"{cli_name!r} is a built-in vertical; choose another name")
    root = Path(directory) / cli_name
    require_creatable(root, "--dir")  # a file, read-only, a name too long: before writing
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
        "summary": SUMMARIES[task].format(words=cli_name.replace("-", " ")),
        "task": task,
        "rows": 3000,  # binary example: a hold-out of 600 tells the tuned model from the baseline
        "users": 300,  # ranking example
        "items": 150,
        "groups": 5,
        "events": 15_000,
        "tuneplate_version": tuneplate.__version__,
    }
    own = _TASK_ENVS[task]
    files = {f"{package}/{f}": (own, f"{f}.jinja2") for f in PACKAGE_FILES}
    files |= {
        f"tests/test_{package}.py": (own, "test_vertical.py.jinja2"),
        "pyproject.toml": (_env, "pyproject.toml.jinja2"),
        "README.md": (_env, "README.md.jinja2"),
    }
    rendered = {target: env.get_template(t).render(**context) for target, (env, t) in files.items()}
    existed = root.exists()
    try:
        for target, text in rendered.items():
            path = root / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:  # e.g. the disk filled up: leave no half-written project behind
        if not existed:
            shutil.rmtree(root, ignore_errors=True)
        raise TuneplateError(
            f"cannot write the new vertical into {str(root)!r} ({exc.strerror or exc}); "
            "nothing was kept; choose another --dir (or free space)"
        ) from None
    return root
