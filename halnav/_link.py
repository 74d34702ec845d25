"""The :class:`Link` value: one HAL link object together with the URL it is relative to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias
from urllib.parse import urljoin

from ._exceptions import InvalidDocument, TemplateError
from ._redact import redact_url
from ._templates import Template, TemplateValue, parse_template

__all__ = ["Link", "UnusableLink", "Via", "resolve_url"]


def resolve_url(base: str | None, reference: str, *, what: str = "URL") -> str:
    """``reference`` resolved against ``base`` (RFC 3986).

    A reference urllib cannot parse (``http://[oops/``: an IPv6 bracket left open) raises
    :class:`InvalidDocument` naming ``what`` it was, instead of urllib's bare ``ValueError``.
    """
    try:
        return urljoin(base, reference) if base else reference
    except ValueError as exc:
        raise InvalidDocument(
            f"{what} that is not a valid URL: {reference!r} ({exc})", url=base
        ) from None


@dataclass(frozen=True)
class Link:
    """A link from a HAL document.

    ``href`` is kept as the document wrote it (relative, or a template); :meth:`url` gives the
    absolute URL, resolved against ``base``, the URL of the document the link came from.
    """

    rel: str
    href: str
    base: str | None = None
    templated: bool = False
    name: str | None = None
    title: str | None = None
    type: str | None = None
    deprecation: str | None = None
    profile: str | None = None
    hreflang: str | None = None
    #: The HTTP verb, upper case: the Bootic ``method`` extension, else ``GET``.
    method: str = "GET"
    #: Every property of the link object as written, unknown extensions included.
    attributes: dict[str, Any] = field(default_factory=dict[str, Any], compare=False, repr=False)

    @property
    def template(self) -> Template | None:
        """The parsed template of a templated link, else ``None``."""
        return parse_template(self.href) if self.templated else None

    @property
    def variables(self) -> tuple[str, ...]:
        """The names of the template's variables, in order (empty for a plain link)."""
        template = self.template
        return template.variables if template is not None else ()

    @property
    def required_variables(self) -> frozenset[str]:
        """The variables that must be given (those outside ``{?...}`` and ``{&...}``)."""
        template = self.template
        return template.required if template is not None else frozenset()

    def url(self, /, **variables: TemplateValue) -> str:
        """The absolute URL: the template expanded with ``variables``, resolved against ``base``.

        Raises :class:`TemplateError` for a missing required variable, one the template does
        not declare, or any variable given to a link that is not templated;
        :class:`InvalidDocument` for an href that cannot be resolved (``http://[oops/``).
        """
        if self.templated:
            href = parse_template(self.href).expand(variables)
        else:
            given = sorted(name for name, value in variables.items() if value is not None)
            if given:
                raise TemplateError(
                    f"link {self.rel!r} is not templated ({self.href}); "
                    f"it accepts no variables, got {', '.join(given)}",
                    template=self.href,
                )
            href = self.href
        if not self.base:
            return href
        return resolve_url(self.base, href, what=f"link {self.rel!r} has an href")

    @property
    def usable(self) -> bool:
        """Whether the link object was a usable link (see :class:`UnusableLink`)."""
        return True

    def __repr__(self) -> str:
        parts = [f"rel={self.rel!r}", self.method, redact_url(self.href)]
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self.templated:
            parts.append("templated")
        if self.deprecation:
            parts.append("deprecated")
        return f"<Link {' '.join(parts)}>"


@dataclass(frozen=True, repr=False)
class UnusableLink(Link):
    """A member of a link array that is not a usable link object (no href, a number...).

    It keeps its place in the array, so the others are still found by position or by name;
    using it (:meth:`url`, :attr:`template`) raises the :class:`InvalidDocument` that says why.
    """

    #: Why the member is unusable, with the document's URL and the member's JSON pointer.
    problem: str = ""
    pointer: str = ""
    document_url: str | None = None

    @property
    def usable(self) -> bool:
        return False

    @property
    def template(self) -> Template | None:
        raise self.error()

    def url(self, /, **variables: TemplateValue) -> str:
        raise self.error()

    def error(self) -> InvalidDocument:
        """The :class:`InvalidDocument` that using this link raises."""
        return InvalidDocument(self.problem, url=self.document_url, pointer=self.pointer)

    def __repr__(self) -> str:
        return f"<UnusableLink rel={self.rel!r} at {self.pointer}>"


#: How a resource was reached: the link followed and the variables its template was given.
Via: TypeAlias = tuple[Link, dict[str, TemplateValue]]
