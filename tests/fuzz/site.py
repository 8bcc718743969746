"""The site as the fuzz test sees it: every URL pattern (the admin's included, each
ModelAdmin's own views too), filled with path parameters from the world, and the forms and
query parameters a page offers."""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit

from django.contrib import admin
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize

from tests.fuzz.world import World


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: how the report names it, and how to fill it in."""

    label: str  # as written in the URLconfs, e.g. permits/applications/<int:pk>/
    name: str  # namespaced, e.g. permits:detail; empty for an unnamed pattern
    namespace: str
    regex: str  # the whole path's, without the leading slash
    template: str  # e.g. /permits/applications/%(pk)s/
    params: tuple[str, ...]
    param_regexes: dict[str, str]
    model: type | None = None  # the model of an admin pattern

    def url(self, values: dict[str, str]) -> str:
        return self.template % {name: quote(str(values[name]), safe="") for name in self.params}


def _stripped(regex: str) -> str:
    regex = regex.removeprefix("^")
    for end in ("\\Z", "$"):
        regex = regex.removesuffix(end)
    return regex


def _syntax(regex: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """The positions and characters of `regex` from `start` that are syntax: neither
    escaped nor inside a character class."""
    index = start
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
        elif char == "[":
            index = _class_end(regex, index)
        else:
            yield index, char
            index += 1


def _group_regexes(regex: str) -> dict[str, str]:
    """The regex of each capturing group, by name; unnamed groups are _0, _1, ... as
    Django's normalize() names them."""
    groups, unnamed, after_group = {}, 0, 0
    for index, char in _syntax(regex):
        if index < after_group or char != "(":
            continue
        end = _group_end(regex, index)
        body = regex[index + 1 : end]
        if body.startswith("?P<"):
            name, _sep, inner = body[3:].partition(">")
            groups[name] = inner
        elif not body.startswith("?"):
            groups[f"_{unnamed}"] = body
            unnamed += 1
        after_group = end + 1
    return groups


def _class_end(regex: str, start: int) -> int:
    index = start + 1
    if index < len(regex) and regex[index] == "^":
        index += 1
    if index < len(regex) and regex[index] == "]":
        index += 1
    while index < len(regex) and regex[index] != "]":
        index += 2 if regex[index] == "\\" else 1
    return index + 1


def _group_end(regex: str, start: int) -> int:
    depth = 0
    for index, char in _syntax(regex, start):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"Unbalanced group in {regex}")


def _label_piece(pattern) -> str:
    return _stripped(str(pattern.pattern))


def _admin_models() -> dict[str, type]:
    return {
        f"{model._meta.app_label}/{model._meta.model_name}/": model
        for model in admin.site._registry
    }


def url_patterns() -> list[Pattern]:
    """Every endpoint of the URLconf, walked recursively."""
    models = _admin_models()
    patterns = []

    def walk(resolver, regex: str, label: str, namespace: str, model) -> None:
        for entry in resolver.url_patterns:
            piece = _stripped(entry.pattern.regex.pattern)
            piece_label = _label_piece(entry)
            if isinstance(entry, URLResolver):
                walk(
                    entry,
                    regex + piece,
                    label + piece_label,
                    entry.namespace or namespace,
                    models.get(piece_label, model) if namespace == "admin" else model,
                )
                continue
            full = regex + piece
            template, params = normalize(full)[0]
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            patterns.append(
                Pattern(
                    label=label + piece_label,
                    name=name,
                    namespace=namespace,
                    regex=full,
                    template="/" + template,
                    params=tuple(params),
                    param_regexes=_group_regexes(full),
                    model=model,
                )
            )

    walk(get_resolver(), "", "", "", None)
    # Answered by a middleware before any URL pattern (503 when a service is down).
    patterns.append(Pattern("healthz", "healthz", "", "healthz", "/healthz", (), {}))
    return patterns


def _model_values(model, param: str) -> list[str]:
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    picked = [*pks[:1], *pks[-1:]] if len(pks) > 1 else pks
    if param in ("_0", "object_id", "id"):
        return [str(pk) for pk in picked]
    return []


def _history_pairs(model) -> list[dict[str, str]]:
    history = getattr(model, "history", None)
    if history is None:
        return []
    record = history.order_by("history_id").first()
    if record is None:
        return []
    return [{"_0": str(getattr(record, model._meta.pk.attname)), "_1": str(record.history_id)}]


MAX_BINDINGS = 16


def bindings(pattern: Pattern, world: World) -> list[dict[str, str]]:
    """The path parameters that open the world's objects on this pattern; empty when the
    world has none (the fuzzer then makes them up)."""
    if not pattern.params:
        return [{}]
    if pattern.name in world.pairs:
        return world.pairs[pattern.name]
    if pattern.name.endswith("_simple_history") and pattern.model is not None:
        return _history_pairs(pattern.model)
    choices = []
    for param in pattern.params:
        values = world.values.get((pattern.name, param)) or world.values.get(
            (pattern.namespace, param)
        )
        if not values and pattern.model is not None:
            values = _model_values(pattern.model, param)
        if not values:
            return []
        choices.append(values)
    # Each value early on: the pairs of the first values first, then the next ones.
    combinations = sorted(
        itertools.product(*(range(len(values)) for values in choices)),
        key=lambda indexes: (max(indexes), indexes),
    )
    return [
        {
            param: values[index]
            for param, values, index in zip(pattern.params, choices, indexes, strict=True)
        }
        for indexes in combinations[:MAX_BINDINGS]
    ]


def pattern_for(patterns: list[Pattern], url: str) -> tuple[Pattern, dict[str, str]] | None:
    """The pattern a URL of ours resolves to, and its path parameters."""
    path = unquote(urlsplit(url).path).removeprefix("/")
    for pattern in patterns:
        match = re.fullmatch(pattern.regex, path)
        if match is not None:
            values = match.groupdict()
            if not values:
                values = {f"_{index}": value for index, value in enumerate(match.groups())}
            return pattern, {name: values[name] for name in pattern.params if name in values}
    return None


def is_ours(url: str) -> bool:
    """A path this site answers (not another site, not a 404 of the resolver's)."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return False
    try:
        resolve(parts.path)
    except Resolver404:
        return False
    return True


# Pages -------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    tag: str  # input, select, textarea, button
    kind: str  # the input's type; select-one or select-multiple; textarea; submit
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)
    css_class: str = ""


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted({item.name for item in self.fields}))


class PageParser(HTMLParser):
    """The forms of a page, with their fields, and the links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "form":
            self._form = Form(
                method=attributes.get("method", "get").lower(),
                action=attributes.get("action", ""),
                enctype=attributes.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "option" and self._select is not None:
            value = attributes.get("value")
            self._option = [value, "selected" in attributes, ""]
            self._select.options.append(("", False))
            return
        if not name:
            return
        if tag in ("input", "button"):
            kind = attributes.get("type", "text" if tag == "input" else "submit").lower()
            self._form.fields.append(
                Field(
                    name=name,
                    tag=tag,
                    kind=kind,
                    value=attributes.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    checked="checked" in attributes,
                    css_class=attributes.get("class", ""),
                )
            )
        elif tag == "select":
            self._select = Field(
                name=name,
                tag=tag,
                kind="select-multiple" if "multiple" in attributes else "select-one",
            )
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(name=name, tag=tag, kind="textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
            self._select = self._textarea = self._option = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea":
            self._textarea = None

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options[-1] = (text.strip() if value is None else value, selected)
        self._option = None


@dataclass
class Page:
    """What a GET of a URL offered: forms that post to us, and the query parameters its
    GET forms and its links to itself use."""

    post_forms: list[tuple[str, Form]]  # (the action's URL, the form)
    query: dict[str, list[str]]


def page_read(url: str, html: str) -> Page:
    parser = PageParser()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:  # html.parser on badly broken markup
        pass
    post_forms, query = [], {}
    path = urlsplit(url).path
    for form in parser.forms:
        action = urljoin(url, form.action) if form.action else url
        if form.method == "post":
            if is_ours(action):
                post_forms.append((action, form))
        elif urlsplit(action).path == path:
            for item in form.fields:
                values = [value for value, _selected in item.options] or [item.value]
                query.setdefault(item.name, []).extend(values)
    for link in parser.links:
        target = urlsplit(urljoin(url, link))
        if target.path == path and target.query:
            for key, value in parse_qsl(target.query, keep_blank_values=True):
                query.setdefault(key, []).append(value)
    return Page(post_forms=post_forms, query={key: sorted(set(v)) for key, v in query.items()})


def matches(regex: str, value: str) -> bool:
    return re.fullmatch(regex, value) is not None
