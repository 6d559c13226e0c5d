"""Rendering of the files harden writes, from the jinja2 templates in templates/."""
from __future__ import annotations

from pathlib import Path

import jinja2

_PACKAGED = Path(__file__).parent / "templates"  # inside an installed wheel
_CHECKOUT = Path(__file__).parent.parent / "templates"  # in a source checkout


def template_dir() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(template_dir())),
    keep_trailing_newline=True,
    trim_blocks=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)


def render(name: str, **values) -> str:
    return _environment.get_template(name).render(**values)


_html = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(template_dir())),
    undefined=jinja2.StrictUndefined,
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(name: str, **values) -> str:
    """Pages people read: everything that comes from a host is escaped."""
    return _html.get_template(name).render(**values)
