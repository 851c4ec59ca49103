"""The inline form: 'input 32x32x3; conv2d 10 kernel=5; …' to the mapping a YAML file gives."""

import re
from typing import Any

from ..errors import SpecError
from ..layers import size_words
from .records import INLINE_EXAMPLE

# Numbers as YAML and JSON write them, in the digits 0-9 only (Python's int() and float() also read
# '٣', '３', '1_000', 'nan' and 'infinity': here they stay text, and the argument says what is wrong).
_INT = r"[+-]?[0-9]+"
_FLOAT = r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+"
HEAD_KEYS = ("layout", "name", "symbols")  # what may follow the input size

# --------------------------------------------------------------------------- inline form


def inline_value(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":  # padding='same', name="conv 1"
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null"):
        return None
    if re.fullmatch(_INT, text):
        return int(text)
    if re.fullmatch(_FLOAT, text):
        from .yamlload import WrittenFloat  # the text kept: 4.0000000000000001 reads as 4.0 but is not whole

        return WrittenFloat(float(text), text)
    if "$" not in text:  # '[3,3]', '(2,2)'
        text = text.strip("[]()")
    elif (text[:1], text[-1:]) in (("[", "]"), ("(", ")")):  # an expression keeps its own: $(max(2,4)) once lost its last ')'
        text = text[1:-1]
    words = size_words(text, negative=True)
    if words is not None:
        return [inline_value(word) for word in words]
    return text


def parse_inline(text: str) -> dict[str, Any]:
    """'input 227x227x3; conv2d 96 kernel=11 stride=4; …' to the same mapping a YAML file gives.

    The size may be written 32x32x3, 32 x 32 x 3, [32, 32, 3] or (32, 32, 3); layout=, name= and
    symbols= may follow it.
    """
    items = [item.strip() for item in re.split(r"[;\n]", text) if item.strip()]
    written = re.match(r"(?i)\s*input(?:[\s:=]+|$)(.*)", items[0])  # 'input 32x32x3', 'input: 32x32x3'
    if not written or not written.group(1).strip():
        raise SpecError("an inline spec starts with 'input HxWxC'", hint=f"e.g. {INLINE_EXAMPLE}", where="inline spec")
    words = written.group(1).split()
    first_key = next((i for i, word in enumerate(words) if "=" in word), len(words))
    size = inline_value(" ".join(words[:first_key]).strip(":="))  # '25 x 64 x 1' and '(25, 64, 1)' too
    if first_key > 1 and not isinstance(size, list):  # '32x32x3 extra': the size is the first word
        first_key = 1
        size = inline_value(words[0].strip(":="))
    document: dict[str, Any] = {}
    document["input"] = size if isinstance(size, list) else [size]
    for token in words[first_key:]:
        key, _, value = token.partition("=")
        if not _ or "=" not in token:
            raise SpecError(f"unexpected '{token}' after the input size", hint="only layout=hwc|chw, name=… and symbols=… may follow it",
                            where="inline spec")
        if key not in HEAD_KEYS or not value:
            raise SpecError(f"unexpected '{token}' after the input size", hint="only layout=hwc|chw, name=… and symbols=… may follow it",
                            where="inline spec")
        if key in document:
            raise SpecError(f"'{key}=' is given twice after the input size", hint="give it once", where="inline spec")
        document[key] = value.split(",") if key == "symbols" else inline_value(value)
    document["layers"] = [inline_layer(item, index) for index, item in enumerate(items[1:], start=1)]
    return document


def _words(text: str) -> list[str]:
    """The words of a layer's text, split at spaces; an expression is one word whatever its spaces
    ('conv2d $(c * 4) kernel=1': split at each space, '$(c' once read as an unclosed expression)."""
    if "$" not in text:
        return text.split()
    words: list[str] = []
    start, depth = None, 0
    for pos, char in enumerate(text):
        if char.isspace() and not depth:
            if start is not None:
                words.append(text[start:pos])
                start = None
            continue
        if start is None:
            start = pos
        if char in "({" and (depth or text[pos - 1 : pos] == "$"):
            depth += 1
        elif char in ")}" and depth:
            depth -= 1
    if start is not None:
        words.append(text[start:])
    return words if not depth else text.split()  # an expression left open: the words as written, and the $( named


def inline_layer(item: str, index: int) -> dict[str, Any]:
    """'conv2d 10 kernel=5' to {type: conv2d, PRIMARY_MARK: 10, kernel: 5}. A problem in the text is kept
    under PROBLEM_MARK and raised once the layer has its name, so that the message names it."""
    tokens = _words(item.replace(", ", ","))
    entry: dict[str, Any] = {"type": tokens[0]}
    positional = []
    problems: list[tuple[str, str]] = []
    for token in tokens[1:]:
        if "=" in token:
            key, _, value = token.partition("=")
            if not key or not value:
                problems.append((f"'{token}' is not key=value", "write e.g. stride=2"))
            elif key == "type":
                problems.append((f"'{token}': the first word, '{tokens[0]}', is the layer's type", f"write '{value} …' for a {value} layer"))
            elif key in entry:  # YAML and JSON refuse a key given twice as well
                problems.append((f"'{key}' is given twice", "keep one of them"))
            else:
                entry[key] = value.split(",") if key == "from" else inline_value(value)
        else:
            positional.append(inline_value(token))
    if len(positional) > 1:
        problems.append((f"more than one value without a key: {' '.join(str(p) for p in positional)}",
                         "give the first value alone and the others as key=value, e.g. 'conv2d 10 kernel=5'"))
    if positional:
        entry[PRIMARY_MARK] = positional[0]
    if problems:
        entry[PROBLEM_MARK] = problems[0]
    return entry


PRIMARY_MARK = "\0primary"  # an inline positional value, placed in the kind's primary argument
PROBLEM_MARK = "\0problem"  # what is wrong with an inline layer's text: (problem, hint), raised with the layer's name
