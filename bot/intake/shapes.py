"""The documented shapes of what review sources and Slack send us, checked before anything
reads them: a field of the wrong type is named (`reviews[0].reviewer.displayName must be a
string`), never guessed around or tripped over. Extra fields are welcome (real traffic carries
more); every documented one, when present, must be of its documented type."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.reviews import Unreadable


class Shape(BaseModel):
    """A documented JSON object: strict types, unknown fields allowed, every field optional
    (what is required is validation's business, which names it)."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


# An id we put in a source's URL: real ones are short; a longer one is refused, not fetched.
Id = Annotated[str, Field(max_length=255)]


class Unshaped(ValueError):
    """A body whose documented field is of the wrong type; the message names the field."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field} {message}" if field else message)


_KINDS = {
    "string_type": "a string", "int_type": "a whole number", "float_type": "a number",
    "bool_type": "true or false", "list_type": "a list", "dict_type": "an object",
    "model_type": "an object", "model_attributes_type": "an object",
    "int_from_float": "a whole number",
}


def _wanted(error: Any) -> str | None:
    if error["type"] == "string_too_long":
        return f"at most {error['ctx']['max_length']} characters"
    return _KINDS.get(error["type"])


def field_path(value: Any, loc: tuple[Any, ...], prefix: str = "") -> str:
    """`loc` as the path of the field in `value` ("reviews[0].reviewer"): the parts that are
    keys and indices of the value (pydantic adds the names of union members)."""
    path, node = prefix, value
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path = f"{path}.{part}" if path else part
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path = f"{path}[{part}]"
            node = node[part]
    return path


def first_problem(error: ValidationError, value: Any, prefix: str = "") -> tuple[str, str]:
    """The field the errors are about, and what it must be (every type a union allows)."""
    errors = error.errors()
    # The deepest field any error names: a union's members each add an error at its top.
    where = max((field_path(value, e["loc"], prefix) for e in errors),
                key=lambda path: path.count(".") + path.count("["))
    kinds = [_wanted(e) for e in errors if field_path(value, e["loc"], prefix) == where]
    wanted = list(dict.fromkeys(kind for kind in kinds if kind))
    if wanted:
        return where, "must be " + " or ".join(wanted)
    return where, str(errors[0]["msg"]).removeprefix("Value error, ")


def check(model: type[Shape], value: Any, prefix: str = "", *, what: str = "the body") -> None:
    """Raise Unshaped naming the first field of `value` that is not of `model`'s types."""
    if not isinstance(value, dict):
        raise Unshaped(prefix, "must be an object" if prefix else f"{what} must be a JSON object")
    try:
        model.model_validate(value)
    except ValidationError as error:
        raise Unshaped(*first_problem(error, value, prefix)) from None


def list_at(body: dict[str, Any], key: str) -> list[Any] | None:
    """The list under `key` (None when absent or null); Unshaped when it is anything else."""
    found = body.get(key)
    if found is None:
        return None
    if not isinstance(found, list):
        raise Unshaped(key, "must be a list")
    return found


def shaped_item(model: type[Shape], item: Any, prefix: str) -> Any:
    """`item` (one review of a batch, at `prefix` in the body) when it has `model`'s shape, else
    Unreadable naming its wrong field. What is not an object goes on as it is, for validation
    to name."""
    if not isinstance(item, dict):
        return item
    try:
        check(model, item, prefix)
    except Unshaped as error:
        return Unreadable(error.field, error.message)
    return item
