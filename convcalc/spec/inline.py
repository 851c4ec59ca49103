"""The inline form: 'input 32x32x3; conv2d 10 kernel=5; …' to the mapping a YAML file gives."""

import re
from typing import Any

from ..errors import SpecError
from ..layers import size_words
from .records import INLINE_EXAMPLE

# --------------------------------------------------------------------------- inline form


def inline_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null"):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        pass
    text = text.strip("[]()")
    words = size_words(text, negative=True)
    if words is not None:
        return [inline_value(word) for word in words]
    return text


def parse_inline(text: str) -> dict[str, Any]:
    """'input 227x227x3; conv2d 96 kernel=11 stride=4; …' to the same mapping a YAML file gives."""
    items = [item.strip() for item in re.split(r"[;\n]", text) if item.strip()]
    written = re.match(r"(?i)\s*input(?:[\s:=]+|$)(.*)", items[0])  # 'input 32x32x3', 'input: 32x32x3'
    head = ["input", *written.group(1).split()] if written else items[0].split()
    document: dict[str, Any] = {}
    if head[0].lower() != "input" or len(head) < 2:
        raise SpecError("an inline spec starts with 'input HxWxC'", hint=f"e.g. {INLINE_EXAMPLE}", where="inline spec")
    size = inline_value(head[1].strip(":="))
    document["input"] = size if isinstance(size, list) else [size]
    for token in head[2:]:
        key, _, value = token.partition("=")
        if key not in ("layout", "name") or not value:
            raise SpecError(f"unexpected '{token}' after the input size", hint="only layout=hwc|chw and name=… may follow it", where="inline spec")
        document[key] = value
    document["layers"] = [inline_layer(item, index) for index, item in enumerate(items[1:], start=1)]
    return document


def inline_layer(item: str, index: int) -> dict[str, Any]:
    tokens = item.replace(", ", ",").split()
    entry: dict[str, Any] = {"type": tokens[0]}
    positional = []
    for token in tokens[1:]:
        if "=" in token:
            key, _, value = token.partition("=")
            if not key or not value:
                raise SpecError(f"'{token}' is not key=value", hint="write e.g. stride=2", layer_index=index, layer_type=tokens[0])
            entry[key] = value.split(",") if key == "from" else inline_value(value)
        else:
            positional.append(inline_value(token))
    if len(positional) > 1:
        raise SpecError(
            f"more than one value without a key: {' '.join(str(p) for p in positional)}",
            hint="give the first value alone and the others as key=value, e.g. 'conv2d 10 kernel=5'",
            layer_index=index,
            layer_type=tokens[0],
        )
    if positional:
        entry[PRIMARY_MARK] = positional[0]
    return entry


PRIMARY_MARK = "\0primary"  # an inline positional value, placed in the kind's primary argument
