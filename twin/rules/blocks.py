"""The walker: goes through a message's or a view's blocks, elements, text objects and options
against their specs (`twin.rules.specs`), collecting what Slack would reject and what would
render wrongly."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from twin.rules.mrkdwn import mrkdwn_problems
from twin.rules.specs import BLOCK_SPECS, CONFIRM_SPEC, ELEMENT_SPECS
from twin.rules.table import (
    BLOCK_SURFACES,
    CONTAINERS,
    OPTION,
    RULES,
    TEXT_OBJECT,
    Surface,
    Violation,
)
from twin.rules.walker import Spec, is_int


@dataclass
class Walk:
    """Walks one surface (a message or a view), collecting violations and render problems."""

    surface: Surface
    violations: list[Violation] = field(default_factory=list)
    render: list[Violation] = field(default_factory=list)
    block_ids: set[str] = field(default_factory=set)
    action_ids: set[tuple[str, str]] = field(default_factory=set)  # (block, action_id)
    markdown_chars: int = 0
    tables: int = 0
    in_attachment: bool = False  # walking an attachment's blocks

    # ---- reporting ------------------------------------------------------------------------

    def fail(self, rule_id: str, pointer: str, reason: str) -> None:
        rule = RULES[rule_id]
        target = self.render if rule.kind == "render" else self.violations
        target.append(Violation(rule, pointer, reason))

    # ---- primitive checks -----------------------------------------------------------------

    def string(self, rule_id: str, value: Any, pointer: str) -> str | None:
        """A string within the rule's length bounds; return it when it is a string."""
        if not isinstance(value, str):
            self.fail("json.type", pointer, "must be a string")
            return None
        rule = RULES[rule_id]
        if rule.limit is not None and len(value) > rule.limit:
            self.fail(rule_id, pointer, f"must be less than {rule.limit + 1} characters")
        elif rule.low and len(value) < rule.low:
            self.fail(rule_id, pointer, f"must be more than {rule.low - 1} characters")
        return value

    def integer(self, rule_id: str, value: Any, pointer: str) -> int | None:
        if not is_int(value):
            self.fail("json.type", pointer, "must be an integer")
            return None
        rule = RULES[rule_id]
        if rule.low is not None and value < rule.low:
            self.fail(rule_id, pointer, f"must be at least {rule.low}")
        elif rule.limit is not None and value > rule.limit:
            self.fail(rule_id, pointer, f"must be no more than {rule.limit}")
        return value

    def boolean(self, value: Any, pointer: str) -> None:
        if not isinstance(value, bool):
            self.fail("json.type", pointer, "must be a boolean")

    def items(self, rule_id: str, value: Any, pointer: str) -> list[Any]:
        """An array within the rule's count bounds; return it (or [] when not an array)."""
        if not isinstance(value, list):
            self.fail("json.type", pointer, "must be an array")
            return []
        rule = RULES[rule_id]
        if rule.low and len(value) < rule.low:
            self.fail(rule_id, pointer, f"must provide at least {rule.low} item"
                      + ("s" if rule.low > 1 else ""))
        elif rule.limit is not None and len(value) > rule.limit:
            self.fail(rule_id, pointer, f"must provide no more than {rule.limit} items")
        return value

    def one_of(self, rule_id: str, value: Any, pointer: str, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        if value not in allowed:
            self.fail(rule_id, pointer, f"must be one of {', '.join(allowed)}")

    def only_fields(self, value: dict[str, Any], known: Collection[str], pointer: str,
                    source: str) -> None:
        """An object has only its documented fields (``known``, on the page ``source``)."""
        for name in value:
            if name not in known:
                self.fail("properties", f"{pointer}/{name}",
                          f"invalid additional property: {name} (see {source})")

    def obj(self, spec: Spec, value: Any, pointer: str) -> dict[str, Any] | None:
        """Check an object against its spec: type, unknown fields, required fields, fields."""
        if not isinstance(value, dict):
            self.fail("json.type", pointer, "must be an object")
            return None
        self.only_fields(value, spec.fields, pointer, spec.source)
        for name in spec.required:
            if value.get(name) is None:
                self.fail("required", f"{pointer}/{name}", f"missing required field: {name}")
        for name, check in spec.fields.items():
            if value.get(name) is not None:
                check(self, value[name], f"{pointer}/{name}")
        if spec.extra is not None:
            spec.extra(self, value, pointer)
        return value

    # ---- ids ------------------------------------------------------------------------------

    def unique_id(self, kind: str, value: Any, pointer: str) -> None:
        value = self.string(f"{kind}.length", value, pointer)
        if value is None:
            return
        if kind == "block_id":
            seen: set = self.block_ids
            key: Any = value
        else:  # an action_id need only be unique within its block
            block = re.match(r".*?/blocks/\d+", pointer)
            seen, key = self.action_ids, (block.group() if block else "", value)
        if key in seen:
            self.fail(f"{kind}.unique", pointer, f"duplicate {kind} {value!r}")
        seen.add(key)

    # ---- text -----------------------------------------------------------------------------

    def text(self, rule_id: str | None, value: Any, pointer: str, *, plain: bool = False) -> None:
        """A text object; ``rule_id`` bounds its text, ``plain`` requires plain_text."""
        if not isinstance(value, dict) or value.get("type") not in ("plain_text", "mrkdwn"):
            self.fail("text.type", pointer, "must be a text object of type plain_text or mrkdwn")
            return
        self.only_fields(value, ("type", "text", "emoji", "verbatim"), pointer, TEXT_OBJECT)
        kind = value["type"]
        if plain and kind != "plain_text":
            self.fail("text.plain_only", f"{pointer}/type", "must be plain_text")
        if "emoji" in value:
            self.boolean(value["emoji"], f"{pointer}/emoji")
            if kind != "plain_text":
                self.fail("text.emoji", f"{pointer}/emoji", "emoji is only usable on plain_text")
        if "verbatim" in value:
            self.boolean(value["verbatim"], f"{pointer}/verbatim")
            if kind != "mrkdwn":
                self.fail("text.verbatim", f"{pointer}/verbatim",
                          "verbatim is only usable on mrkdwn")
        text = value.get("text")
        if not isinstance(text, str):
            self.fail("required" if text is None else "json.type", f"{pointer}/text",
                      "missing required field: text" if text is None else "must be a string")
            return
        limit = RULES[rule_id].limit if rule_id else None
        if not text:
            self.fail("text.length", f"{pointer}/text", "must be more than 0 characters")
        elif rule_id and limit is not None and len(text) > limit:
            self.fail(rule_id, f"{pointer}/text", f"must be less than {limit + 1} characters")
        elif len(text) > 3000:
            self.fail("text.length", f"{pointer}/text", "must be less than 3001 characters")
        if kind == "mrkdwn":
            for problem in mrkdwn_problems(text):
                self.fail(problem.rule_id, f"{pointer}/text", problem.reason)

    # ---- blocks ---------------------------------------------------------------------------

    def blocks(self, value: Any, pointer: str, rule_id: str) -> None:
        for index, block in enumerate(self.items(rule_id, value, pointer)):
            self.block(block, f"{pointer}/{index}")

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.fail("json.type", pointer, "must be an object")
            return
        kind = block.get("type")
        surfaces = BLOCK_SURFACES.get(kind) if isinstance(kind, str) else None
        if surfaces is None:
            self.fail("block.type", f"{pointer}/type", f"unsupported block type {kind!r}")
            return
        if self.surface not in surfaces:
            self.fail("block.type", f"{pointer}/type",
                      f"block type {kind!r} is not available in a {self.surface}")
            return
        self.obj(BLOCK_SPECS[kind], block, pointer)

    def element(self, container: str, value: Any, pointer: str) -> None:
        """A block element (or, in context, a text object) allowed in ``container``."""
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            self.fail("json.type", pointer, "must be a block element object")
            return
        kind = value["type"]
        if kind not in CONTAINERS[container]:
            self.fail("container.element", f"{pointer}/type",
                      f"element type {kind!r} is not allowed in a {container} block")
            return
        if kind in ("plain_text", "mrkdwn"):
            self.text(None, value, pointer)
            return
        self.obj(ELEMENT_SPECS[kind], value, pointer)

    # ---- options --------------------------------------------------------------------------

    def option(self, value: Any, pointer: str, *, plain: bool, url: bool) -> None:
        if not isinstance(value, dict):
            self.fail("json.type", pointer, "must be an option object")
            return
        self.only_fields(value, ("text", "value", "description", "url"), pointer, OPTION)
        if value.get("text") is None:
            self.fail("required", f"{pointer}/text", "missing required field: text")
        else:
            self.text("option.text", value["text"], f"{pointer}/text", plain=plain)
        if value.get("value") is None:
            self.fail("option.value", f"{pointer}/value", "missing required field: value")
        else:
            self.string("option.value", value["value"], f"{pointer}/value")
        if value.get("description") is not None:
            self.text("option.description", value["description"], f"{pointer}/description",
                      plain=plain)
        if value.get("url") is not None:
            if not url:
                self.fail("option.url", f"{pointer}/url",
                          "url is only available in overflow menu options")
            else:
                self.string("option.url", value["url"], f"{pointer}/url")

    def options(self, rule_id: str, value: Any, pointer: str, *, plain: bool = True,
                url: bool = False) -> None:
        for index, item in enumerate(self.items(rule_id, value, pointer)):
            self.option(item, f"{pointer}/{index}", plain=plain, url=url)

    def confirm(self, value: Any, pointer: str) -> None:
        self.obj(CONFIRM_SPEC, value, pointer)

    def mrkdwn_block_text(self, value: Any, pointer: str) -> None:
        text = self.string("markdown.text", value, pointer)
        if text is None:
            return
        self.markdown_chars += len(text)
        if self.markdown_chars > RULES["markdown.text"].limit:  # type: ignore[operator]
            self.fail("markdown.text", pointer,
                      "markdown blocks in one payload must total less than 12001 characters")
