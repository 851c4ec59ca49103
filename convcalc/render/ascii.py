"""ASCII stand-ins for the symbols convcalc prints, for an output that cannot write them
(`PYTHONIOENCODING=ascii`, a C locale, an old Windows console): '7*7*3*64' rather than '7?7?3?64'.

The table lays its cells out in these stand-ins (some are wider than the symbol); every other
output gets them from the codec error handler that the CLI installs on such a stream.
"""
from __future__ import annotations

import unicodedata

STAND_INS = {
    "·": "*", "×": "x", "−": "-", "–": "-", "—": "-", "←": "<-", "→": "->", "⚠": "!", "≤": "<=", "≥": ">=",
    "≈": "~", "≠": "!=", "…": "...", "✓": "ok", "✗": "X", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")",
    "√": "sqrt", "γ": "gamma", "β": "beta", "μ": "mu", "σ": "sigma", "²": "^2", "³": "^3", "′": "'", "“": '"', "”": '"',
    "‘": "'", "’": "'", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    # box lines (rich's heavy head box) for text that was laid out with them
    "─": "-", "━": "-", "│": "|", "┃": "|", "┏": "+", "┳": "+", "┓": "+", "┡": "+", "╇": "+", "┩": "+", "└": "+",
    "┴": "+", "┘": "+", "┌": "+", "┬": "+", "┐": "+", "├": "+", "┼": "+", "┤": "+", "═": "=",
}
_TABLE = str.maketrans(STAND_INS)


def ascii_text(text: str) -> str:
    """The text with every character an ASCII stream can write: stand-ins, accents dropped, else '?'."""
    if text.isascii():
        return text
    text = text.translate(_TABLE)
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
            out.append(plain or "?")
    return "".join(out)


def can_write(stream: object, sample: str = "·←⚠━│") -> bool:
    """Whether the stream's encoding writes convcalc's symbols (a stream with no encoding takes str)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


ERROR_HANDLER = "convcalc-ascii"


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return ascii_text(error.object[error.start : error.end]), error.end


def error_handler() -> str:
    """The name of a codec error handler that writes the stand-ins (registered once)."""
    import codecs

    try:
        codecs.lookup_error(ERROR_HANDLER)
    except LookupError:
        codecs.register_error(ERROR_HANDLER, _replace)
    return ERROR_HANDLER
