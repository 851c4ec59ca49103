"""Names in generated code: layer identifiers, the class name, and user text inside docstrings.

Generated code is meant to be run (`convcalc export SPEC | python -`), so every name a user wrote
must become a valid, unique identifier that shadows nothing the code itself uses.
"""
from __future__ import annotations

import keyword
import re

from ..engine import NetworkReport

# Attribute names an nn.Module already has: a layer named 'forward' or 'train' must not replace them.
_MODULE_ATTRIBUTES = frozenset(
    """T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double
    dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half
    ipu load_state_dict modules mtia named_buffers named_children named_modules named_parameters parameters
    register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
    register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook
    register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook
    register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to
    to_empty train training type xpu zero_grad""".split()
)
# Names the generated code itself uses, so no layer variable may take them.
_RESERVED = frozenset({"self", "x", "torch", "nn", "tf", "keras", "layers", "inputs", "INPUT_SHAPE"})
# Module-level names of the generated code a network's class must not take: the constants a class
# name would shadow (None, True, False are keywords) and the helper classes export may write.
CLASS_NAMES_TAKEN = frozenset({"None", "True", "False", "INPUT_SHAPE", "ChannelLayerNorm"})


def identifier(name: str) -> str:
    """A layer name as a Python identifier: 'conv-1' -> 'conv_1', '2a' -> 'layer_2a'."""
    text = re.sub(r"\W", "_", str(name), flags=re.ASCII)
    if not text or text[0].isdigit() or text.startswith("_"):
        text = "layer_" + text.lstrip("_")
    if keyword.iskeyword(text) or text in _MODULE_ATTRIBUTES or text in _RESERVED:
        text += "_"
    return text


def identifiers(report: NetworkReport) -> dict[str, str]:
    """Every layer's identifier, unique within the network (spec name -> identifier)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    tried: dict[str, int] = {}  # base -> the next number to try: every one below it is taken for good
    for layer in report.layers:
        base = identifier(layer.name)
        ident, n = base, tried.get(base, 2)
        while ident in taken:  # from where the last one stopped: 20,000 names that all read 'x____' took 60 s
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        tried[base] = n
        result[layer.name] = ident
    return result


class Names:
    """The layers' identifiers, and names for the extra objects a layer needs ('conv1_pad').

    An extra name never takes a layer's identifier nor another extra's: a layer named 'conv_pad'
    beside a padded 'conv' would otherwise replace its pad module.
    """

    def __init__(self, report: NetworkReport) -> None:
        self.of = identifiers(report)
        self._taken = set(self.of.values())
        self._tried: dict[str, int] = {}

    def extra(self, ident: str, suffix: str) -> str:
        base = ident + suffix
        text, n = base, self._tried.get(base, 2)
        while text in self._taken:
            text, n = f"{base}_{n}", n + 1
        self._taken.add(text)
        self._tried[base] = n
        return text


def docstring_text(text: str) -> str:
    """User text (the network's name, the spec's path) made safe inside a generated docstring.

    The code is meant to be run (`convcalc export SPEC | python -`): a quote, backslash or line
    break in a name must not end the docstring and turn the rest of the name into code.
    """
    out = []
    for char in str(text):
        if char in '\\"':
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def class_name(report: NetworkReport) -> str:
    """'VGG-16' -> 'VGG16', 'AlexNet (original, two GPUs)' -> 'AlexNetOriginalTwoGPUs'; 'none' -> 'NoneNet'."""
    parts = re.findall(r"[A-Za-z0-9]+", report.name or "")
    text = "".join(p[0].upper() + p[1:] for p in parts)
    if not text:
        return "Network"
    if text in CLASS_NAMES_TAKEN:
        return text + "Net"
    return "Net" + text if text[0].isdigit() else text
