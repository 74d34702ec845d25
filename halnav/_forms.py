"""Forms: what a resource says a client may send, read from HAL-FORMS ``_templates`` and from
Bootic ``_actions``.

HAL-FORMS (``application/prs.hal-forms+json``, served by Spring HATEOAS and ContentGrid)::

    "_templates": {"default": {"title": "Create", "method": "POST",
                               "contentType": "application/json", "target": "/tasks",
                               "properties": [{"name": "title", "required": true}]}}

Bootic's own shape, on a results page::

    "_actions": {"search": {"prompt": "Search orders", "method": "GET", "href": "https://...",
                            "type": "application/x-www-form-urlencoded",
                            "fields": [{"name": "status", "value": null, "options": ["pending"]}]}}

Both become :class:`Form` objects with :class:`~halnav._form_fields.Field` objects. A HAL-FORMS
template without a ``target`` is sent to the document's own URL (its ``self`` link, else the URL
it was fetched from); a ``target`` holding a URI template (as older Spring HATEOAS wrote it) is
expanded with the variables given when submitting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ._document import escape_pointer, first_link
from ._exceptions import FormError, HALNavError, InvalidDocument, TemplateError
from ._fetcher import Fetcher
from ._form_checks import checked_values
from ._form_encoding import JSON, FormRequest, ListStyle, encode_request
from ._form_fields import Field, FormValue, read_field
from ._json import is_array, is_object
from ._link import resolve_url
from ._redact import redact_url
from ._templates import TemplateValue, parse_template

__all__ = ["Form", "describe_forms", "field_summary", "form_values", "read_forms", "submission"]

_FORM_KEYS = ("_templates", "_actions")


@dataclasses.dataclass(frozen=True, eq=False)
class Form:
    """A form a resource offers: where to send what, and what each field accepts.

    ``title`` (also ``prompt``) is the text to show for it; ``method`` is upper case (``GET``
    when the server wrote none, or nothing usable); ``target`` is the absolute URL to send to
    (a URI template when ``templated``; ``None`` when the resource has no URL to default to);
    ``content_type`` is the media type of the body (``application/json`` unless the form says
    otherwise); ``source`` is ``"_templates"`` (HAL-FORMS) or ``"_actions"`` (Bootic).
    """

    name: str
    title: str | None = None
    method: str = "GET"
    target: str | None = None
    templated: bool = False
    content_type: str = JSON
    fields: tuple[Field, ...] = ()
    source: str = "_templates"
    attributes: dict[str, Any] = dataclasses.field(default_factory=dict[str, Any], repr=False)
    #: Several values of a field in a query or form body: repeated pairs, or comma-joined.
    list_style: ListStyle = dataclasses.field(default="repeat", repr=False)

    @property
    def prompt(self) -> str | None:
        """The same as :attr:`title` (Bootic forms call it ``prompt``)."""
        return self.title

    @property
    def field_names(self) -> list[str]:
        """The names of the fields, in order."""
        return [item.name for item in self.fields]

    def field(self, name: str) -> Field:
        """The field ``name``; raises :class:`FormError` naming the fields there are."""
        for item in self.fields:
            if item.name == name:
                return item
        names = self.field_names
        raise FormError(
            f"form {self.name!r} has no field {name!r}; its fields: {', '.join(names) or '(none)'}",
            form=self.name,
            field=name,
            rule="unknown",
            available=names,
        )

    def url(self, /, **variables: TemplateValue) -> str:
        """The target URL, its template expanded with ``variables`` when it is one."""
        if self.target is None:
            raise FormError(
                f"form {self.name!r} has no target: the resource it came from has no URL",
                form=self.name,
                rule="target",
            )
        if self.templated:
            return parse_template(self.target).expand(variables)
        given = sorted(name for name, value in variables.items() if value is not None)
        if given:
            raise TemplateError(
                f"the target of form {self.name!r} is not a template ({self.target}); "
                f"it takes no variables, got {', '.join(given)}",
                template=self.target,
            )
        return self.target

    def validate(self, /, **values: FormValue) -> dict[str, Any]:
        """Check ``values`` against the fields, as :meth:`~halnav.Resource.submit` does before
        sending; the values that would be sent (defaults of the other fields included).

        Raises :class:`FormError` naming each field and rule broken: an unknown field, a
        required one without a value, a value not among the options (fetched first when they
        are behind a link), not matching ``regex``, out of ``min``/``max``/``step`` or of the
        length bounds, too few or many values, or a read-only field given another value. In a
        Bootic ``_actions`` form, a text with commas (``"pending,closed"``) is several values,
        each checked, as Bootic reads it.
        """
        return checked_values(
            self.name, self.fields, values, comma_lists=self.list_style == "comma"
        )

    def __repr__(self) -> str:
        target = redact_url(self.target) if self.target else "(no target)"
        names = ", ".join(self.field_names) or "(no fields)"
        return f"<Form {self.name!r} {self.method} {target} fields: {names}>"


def submission(
    form: Form,
    values: Mapping[str, Any],
    variables: Mapping[str, TemplateValue] | None = None,
) -> FormRequest:
    """The request that submits ``values`` with ``form``, checked first (see
    :meth:`Form.validate`)."""
    given = dict(variables or {})
    in_target = _template_variables(form.target) if form.templated and form.target else ()
    in_fields = [
        name
        for item in form.fields
        if item.templated and isinstance(item.default, str)
        for name in _template_variables(item.default)
    ]
    declared = list(dict.fromkeys([*in_target, *in_fields]))
    unknown = [name for name in given if name not in declared]
    if unknown:
        raise TemplateError(
            f"form {form.name!r} takes no variable {', '.join(map(repr, unknown))}; its target "
            f"and templated fields declare {', '.join(declared) or 'none'}",
            template=form.target or "",
            accepted=declared,
        )
    checked = checked_values(
        form.name, form.fields, values, given, comma_lists=form.list_style == "comma"
    )
    url = form.url(**{name: value for name, value in given.items() if name in in_target})
    return encode_request(form.method, url, form.content_type, checked, form.list_style)


def read_forms(
    document: Any, *, url: str | None, base: str | None, fetcher: Fetcher | None
) -> dict[str, Form]:
    """The forms of a decoded document: its ``_templates``, then its ``_actions`` (a name both
    have keeps the HAL-FORMS one). A part of the wrong shape raises :class:`InvalidDocument`
    naming its JSON pointer."""
    if not is_object(document) or not any(key in document for key in _FORM_KEYS):
        return {}
    reader = _Reader(document, url, base, fetcher)
    forms: dict[str, Form] = {}
    for key in _FORM_KEYS:
        raw = document.get(key)
        if raw is None:
            continue
        if not is_object(raw):
            raise reader.invalid(f"/{key}", f"{key} must be a JSON object of named forms", raw)
        for name, spec in raw.items():
            if not name or name in forms:
                continue  # the specification: a template without a key is ignored
            forms[name] = reader.form(key, name, spec)
    return forms


class _Reader:
    """Reads the forms of one document (its URL, base and client at hand)."""

    def __init__(
        self, document: dict[str, Any], url: str | None, base: str | None, fetcher: Fetcher | None
    ) -> None:
        self.document = document
        self.url = url
        self.base = base
        self.fetcher = fetcher

    def form(self, key: str, name: str, spec: Any) -> Form:
        pointer = f"/{key}/{escape_pointer(name)}"
        if not is_object(spec):
            raise self.invalid(pointer, f"form {name!r} must be a JSON object", spec)
        actions = key == "_actions"
        fields_key = "fields" if actions else "properties"
        raw_fields: Any = spec.get(fields_key)
        if raw_fields is None:
            raw_fields = list[Any]()
        if not is_array(raw_fields):
            raise self.invalid(
                f"{pointer}/{fields_key}",
                f"form {name!r} has {fields_key} that is not an array",
                raw_fields,
            )
        fields: list[Field] = []
        for index, raw in enumerate(raw_fields):
            if not is_object(raw):
                raise self.invalid(
                    f"{pointer}/{fields_key}/{index}",
                    f"form {name!r}: each of its {fields_key} must be a JSON object",
                    raw,
                )
            made = read_field(raw, self.base, self.fetcher)
            if made is not None:
                fields.append(made)
        method = spec.get("method")
        title = spec.get("prompt" if actions else "title")
        if not isinstance(title, str):
            title = spec.get("title" if actions else "prompt")
        content_type = spec.get("type" if actions else "contentType")
        target, templated = self.target(spec.get("href" if actions else "target"))
        return Form(
            name=name,
            title=title if isinstance(title, str) else None,
            method=method.strip().upper() if isinstance(method, str) and method.strip() else "GET",
            target=target,
            templated=templated,
            content_type=content_type if isinstance(content_type, str) and content_type else JSON,
            fields=tuple(fields),
            source=key,
            attributes=spec,
            list_style="comma" if actions else "repeat",
        )

    def target(self, raw: Any) -> tuple[str | None, bool]:
        """(the absolute target, whether it is a URI template): the form's own, else the
        document's URL. One that is not a URL is ignored, as the specification says."""
        if isinstance(raw, str) and raw.strip():
            try:
                absolute = resolve_url(self.base, raw.strip(), what="form target")
            except InvalidDocument:
                absolute = None
            if absolute is not None:
                return absolute, _is_template(absolute)
        return self.own_url(), False

    def own_url(self) -> str | None:
        try:
            link = first_link(self.document, "self", self.base, self.url)
            if link is not None:
                return link.url()
        except HALNavError:  # a malformed or templated self link: the URL fetched from
            pass
        return self.url

    def invalid(self, pointer: str, problem: str, value: Any) -> InvalidDocument:
        where = f"document from {self.url}" if self.url else "document"
        kind = type(value).__name__ if value is not None else "null"
        return InvalidDocument(
            f"{where}: {problem} (at {pointer}, got {kind})", url=self.url, pointer=pointer
        )


def _template_variables(text: str) -> tuple[str, ...]:
    try:
        return parse_template(text).variables
    except TemplateError:
        return ()


def _is_template(target: str) -> bool:
    if "{" not in target:
        return False
    try:
        return bool(parse_template(target).variables)
    except TemplateError:
        return False


def describe_forms(forms: Mapping[str, Form]) -> list[str]:
    """Lines describing ``forms`` and their fields, for :meth:`~halnav.Resource.describe`."""
    lines: list[str] = []
    for name, form in forms.items():
        title = f"  {form.title}" if form.title else ""
        target = redact_url(form.target) if form.target else "(no target)"
        lines.append(f"  {name}  {form.method} {target}  ({form.content_type}){title}")
        width = min(max((len(item.name) for item in form.fields), default=0) + 1, 24)
        for item in form.fields:
            label = item.name + ("*" if item.required else "")
            lines.append(f"    {label:<{width}}  {field_summary(item)}")
    return lines


def field_summary(item: Field) -> str:
    """One line saying what a field takes: type, prompt, options, bounds, default."""
    parts = [item.type]
    if item.prompt != item.name:
        parts.append(repr(item.prompt))
    if item.read_only:
        parts.append("read-only")
    if item.options_link is not None:
        parts.append(f"options from {redact_url(item.options_link.href)}")
    elif item.has_options:
        values = [str(option.value) for option in item.options or ()]
        shown = ", ".join(values[:8]) + (f", ... ({len(values)})" if len(values) > 8 else "")
        parts.append(f"one of: {shown}")
    if item.regex:
        parts.append(f"matching {item.regex!r}")
    if item.min is not None or item.max is not None:
        parts.append(f"from {_or_any(item.min)} to {_or_any(item.max)}")
    if item.min_length is not None or item.max_length is not None:
        parts.append(f"{_or_any(item.min_length)}..{_or_any(item.max_length)} characters")
    if item.default is not None:
        parts.append(f"default {item.default!r}")
    return ", ".join(parts)


def _or_any(value: object) -> str:
    return "any" if value is None else str(value)


def form_values(
    values: Mapping[str, FormValue] | None, given: Mapping[str, FormValue]
) -> dict[str, FormValue]:
    """The values given as ``values={...}`` and as keyword arguments (a name given twice is a
    :class:`TypeError`, as for template variables)."""
    if not values:
        return dict(given)
    twice = sorted(set(values) & set(given))
    if twice:
        raise TypeError(f"form value {', '.join(map(repr, twice))} given twice")
    return {**values, **given}
