"""The one error type every spec problem is brought to.

The library raises :class:`SpecError`; only the CLI turns it into a message and exit code 2.
"""
from __future__ import annotations

from collections.abc import Iterable


class SpecError(Exception):
    """A problem with a user's network spec: where it is, what is wrong, how to fix it."""

    def __init__(
        self,
        problem: str,
        *,
        hint: str | None = None,
        layer_index: int | None = None,
        layer_name: str | None = None,
        layer_type: str | None = None,
        where: str | None = None,
    ) -> None:
        self.problem = problem
        self.hint = hint
        self.layer_index = layer_index
        self.layer_name = layer_name
        self.layer_type = layer_type
        self.where = where
        super().__init__(self.message)

    @property
    def location(self) -> str:
        """'layer 3 'conv2' (conv2d)', or the file position / top-level key the problem is in."""
        if self.layer_index is not None:
            text = f"layer {self.layer_index}"
            if self.layer_name:
                text += f" '{_brief(str(self.layer_name), 80)}'"
            if self.layer_type and self.layer_type != self.layer_name:
                text += f" ({_brief(str(self.layer_type), 80)})"
            return text
        return _brief(self.where or "", 200)

    @property
    def message(self) -> str:
        problem = _brief(self.problem, 400)  # a pasted 1 MB list or name
        text = f"{self.location}: {problem}" if self.location else problem
        if self.hint:
            text += f"; {_brief(self.hint, 400)}"
        return text

    def at_layer(self, index: int, name: str | None, layer_type: str | None) -> "SpecError":
        """Attach the layer this error belongs to, unless it already names one."""
        if self.layer_index is None:
            self.layer_index, self.layer_name, self.layer_type = index, name, layer_type
            self.args = (self.message,)
        return self


def _brief(text: str, limit: int) -> str:
    """At most ``limit`` characters of user text in a message, so that it stays one readable line."""
    return text if len(text) <= limit else text[:limit] + " …"


class ArgError(ValueError):
    """A bad argument value, raised by argument parsers before the layer is known."""

    def __init__(self, problem: str, hint: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(problem)


MAX_SUGGESTION_CANDIDATES = 500


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """'did you mean 'conv2d'?' for a misspelt name, or None when nothing is close.

    Among the names of a 100,000-layer spec, difflib alone took seconds; there only the names that
    share the longest start and end with the word are compared.
    """
    import difflib  # only when a name is misspelt: it is not needed to start

    text = str(word).lower()
    candidates = list(choices)
    if len(candidates) > MAX_SUGGESTION_CANDIDATES:
        def shared(name: str) -> int:
            start = len(_common_start(name, text))
            return start + len(_common_start(name[start:][::-1], text[start:][::-1]))

        candidates = sorted(candidates, key=shared, reverse=True)[:MAX_SUGGESTION_CANDIDATES]
    close = difflib.get_close_matches(text, candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _common_start(a: str, b: str) -> str:
    import os.path

    return os.path.commonprefix([a, b])
