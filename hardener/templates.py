"""Rendering of the files harden writes, from the jinja2 templates in templates/.

jinja2 is loaded on first use: commands that render nothing (--help, list) do not pay for it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGED = Path(__file__).parent / "templates"  # inside an installed wheel
_CHECKOUT = Path(__file__).parent.parent / "templates"  # in a source checkout


def template_dir() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


@lru_cache(maxsize=None)
def _environment(html: bool):
    import jinja2

    if html:  # pages people read: everything that comes from a host is escaped
        return jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir())), undefined=jinja2.StrictUndefined,
                                  autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir())), keep_trailing_newline=True,
                              trim_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False)


def render(name: str, **values) -> str:
    return _environment(False).get_template(name).render(**values)


def render_html(name: str, **values) -> str:
    """Pages people read: everything that comes from a host is escaped."""
    return _environment(True).get_template(name).render(**values)


def html_macro(name: str, macro: str):
    """A macro of an HTML template, for a piece a page repeats many times over (the fleet grid's cells): made once
    per value and joined, rather than rendered again for each."""
    return getattr(_environment(True).get_template(name).module, macro)


def render_xml(name: str, **values) -> str:
    """XML other tools read (JUnit): escaped as pages are."""
    return _environment(True).get_template(name).render(**values)
