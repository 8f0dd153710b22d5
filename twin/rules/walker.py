"""What a spec is (`Spec`: fields and their checks) and what its checks may ask of the walker
(`Walker`). `twin.rules.specs` writes the specs against this interface and `twin.rules.blocks`'
`Walk` implements it, so neither module needs the other's name: the specs import no walker,
and the walker imports the specs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


class Walker(Protocol):
    """The walk through one surface, as a field's check sees it (`twin.rules.blocks.Walk`)."""

    in_attachment: bool
    tables: int

    def fail(self, rule_id: str, pointer: str, reason: str) -> None: ...

    def string(self, rule_id: str, value: Any, pointer: str) -> str | None: ...

    def integer(self, rule_id: str, value: Any, pointer: str) -> int | None: ...

    def boolean(self, value: Any, pointer: str) -> None: ...

    def items(self, rule_id: str, value: Any, pointer: str) -> list[Any]: ...

    def one_of(self, rule_id: str, value: Any, pointer: str, allowed: Iterable[str]) -> None: ...

    def obj(self, spec: Spec, value: Any, pointer: str) -> dict[str, Any] | None: ...

    def unique_id(self, kind: str, value: Any, pointer: str) -> None: ...

    def text(self, rule_id: str | None, value: Any, pointer: str, *,
             plain: bool = False) -> None: ...

    def element(self, container: str, value: Any, pointer: str) -> None: ...

    def option(self, value: Any, pointer: str, *, plain: bool, url: bool) -> None: ...

    def options(self, rule_id: str, value: Any, pointer: str, *, plain: bool = True,
                url: bool = False) -> None: ...

    def confirm(self, value: Any, pointer: str) -> None: ...

    def mrkdwn_block_text(self, value: Any, pointer: str) -> None: ...


Check = Callable[[Walker, Any, str], None]


@dataclass(frozen=True)
class Spec:
    """An object's documented fields: name -> check, which are required, and the page."""

    fields: dict[str, Check]
    required: tuple[str, ...]
    source: str
    extra: Callable[[Walker, dict[str, Any], str], None] | None = None


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
