#!/usr/bin/env python3
"""canonical_check.py - recompute a protocol hash from the documented rules.

An independent implementation of the canonical form documented in
include/eksperiment/canonical.h (rules 1 to 7), written from that text
alone with PyYAML's pure-Python parser, so that it shares no code with the
C library.  tests/unit/test_canonical.c runs it and asserts that both give
the same JSON and hash: that shows the document is precise enough for
anyone to recompute a registered protocol's hash.

Usage:
    canonical_check.py FILE            print the protocol hash
    canonical_check.py --json FILE     print the canonical JSON of the
                                       frozen fields (no trailing newline)
    canonical_check.py --any FILE      canonical JSON of the whole document
                                       (rules 3 to 7, no defaults, x-* kept)
Exit status: 0, 1 when the file cannot be hashed (.inf, .nan, a tag that
does not fit), 77 when PyYAML is missing (the C test then skips).
"""
import hashlib
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit(77)

from decimal import Decimal

FROZEN = ["id", "title", "design", "existing_data", "interventions", "arms",
          "timepoints", "outcomes", "hypotheses", "analysis"]
HYPOTHESIS_DEFAULTS = [("test", "superiority"), ("method", "auto"),
                       ("alpha", 0.05), ("family", "confirmatory")]
ANALYSIS_DEFAULTS = [("multiplicity", "holm"), ("conf_level", 0.95)]

NULLS = {"", "~", "null", "Null", "NULL"}
TRUES = {"true", "True", "TRUE"}
FALSES = {"false", "False", "FALSE"}
INT_DEC = re.compile(r"[-+]?[0-9]+\Z")
INT_OCT = re.compile(r"0o[0-7]+\Z")
INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
NAN = re.compile(r"\.(nan|NaN|NAN)\Z")


class Unhashable(Exception):
    pass


class Num:
    """A JSON number (kept apart from Python's bool/int/float quirks)."""

    def __init__(self, value):
        self.value = value


def compose(path):
    """The first document as nested ('map', [(key, node)]), ('seq', [...]),
    ('scalar', text, style, tag) tuples, built from parser events."""
    with open(path, "rb") as f:
        data = f.read().decode("utf-8")
    stack, root = [], None
    for ev in yaml.parse(data, Loader=yaml.SafeLoader):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            node = ("map" if isinstance(ev, yaml.MappingStartEvent) else "seq", [])
            stack.append([node, None])
            continue
        if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            node = stack.pop()[0]
        elif isinstance(ev, yaml.ScalarEvent):
            tag = ev.tag
            if tag and tag.startswith("tag:yaml.org,2002:"):
                tag = "!!" + tag[len("tag:yaml.org,2002:"):]
            node = ("scalar", ev.value, ev.style, tag)
        elif isinstance(ev, yaml.AliasEvent):
            raise Unhashable("aliases are not allowed")
        elif isinstance(ev, yaml.DocumentEndEvent):
            break
        else:
            continue
        if not stack:
            root = node
            continue
        top = stack[-1]
        if top[0][0] == "seq":
            top[0][1].append(node)
        elif top[1] is None:
            top[1] = node[1]            # a key: its text as written
        else:
            top[0][1].append((top[1], node))
            top[1] = None
    return root


def number(text, kind):
    if kind == "oct":
        value = int(text[2:], 8)
    elif kind == "hex":
        value = int(text[2:], 16)
    else:
        return Num(float(text))            # correctly rounded, half to even
    try:
        return Num(float(value))
    except OverflowError:
        raise Unhashable("number too large: " + text)


def number_kind(text):
    if INT_OCT.match(text):
        return "oct"
    if INT_HEX.match(text):
        return "hex"
    if INT_DEC.match(text):
        return "int"
    if FLOAT.match(text):
        return "float"
    if INF.match(text) or NAN.match(text):
        return "nonfinite"
    return None


def scalar(text, style, tag):
    """Rule 4."""
    if tag is not None:
        if tag == "!!null":
            if text in NULLS:
                return None
        elif tag == "!!bool":
            if text in TRUES or text in FALSES:
                return text in TRUES
        elif tag in ("!!int", "!!float"):
            kind = number_kind(text)
            allowed = {"int", "oct", "hex"} if tag == "!!int" else \
                {"int", "oct", "hex", "float", "nonfinite"}
            if kind in allowed:
                if kind == "nonfinite":
                    raise Unhashable(text)
                return number(text, kind)
        else:
            return text                 # !!str, ! and any other tag
        raise Unhashable("%s %s" % (tag, text))
    if style is not None:               # quoted or block
        return text
    if text in NULLS:
        return None
    if text in TRUES:
        return True
    if text in FALSES:
        return False
    kind = number_kind(text)
    if kind == "nonfinite":
        raise Unhashable(text)
    if kind:
        return number(text, kind)
    return text


class Obj(list):
    """A mapping (so that an empty mapping is not taken for a list)."""


def fill(members, defaults):
    keys = {k for k, _ in members}
    for key, default in defaults:
        if key not in keys:
            members.append((key, Num(default) if isinstance(default, float)
                            else default))


def value_typed(node):
    if node[0] == "scalar":
        return scalar(node[1], node[2], node[3])
    if node[0] == "seq":
        return [value_typed(item) for item in node[1]]
    out = Obj()
    for key, item in node[1]:
        v = value_typed(item)
        if v is None:
            continue
        out.append((key, v))
    return out


def format_number(x):
    """Rule 5 (ECMAScript Number::toString)."""
    if x == 0:
        return "0"
    if x < 0:
        return "-" + format_number(-x)
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    s = "".join(str(d) for d in digits)
    q = exponent
    while len(s) > 1 and s.endswith("0"):
        s = s[:-1]
        q += 1
    k = len(s)
    n = k + q
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    mant = s[0] + ("." + s[1:] if k > 1 else "")
    return mant + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def format_string(text):
    """Rule 6."""
    out = ['"']
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f",
               "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def dump(v, skip_ext):
    """Rule 7."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Num):
        return format_number(v.value)
    if isinstance(v, str):
        return format_string(v)
    if isinstance(v, Obj):
        members = [(k, x) for k, x in v
                   if not (skip_ext and k.startswith("x-"))]
        members.sort(key=lambda m: m[0].encode("utf-8"))
        return "{" + ",".join(format_string(k) + ":" + dump(x, skip_ext)
                              for k, x in members) + "}"
    return "[" + ",".join(dump(x, skip_ext) for x in v) + "]"


def protocol_json(root):
    if root is None or root[0] != "map":
        raise Unhashable("the protocol must be a mapping")
    doc = value_typed(root)
    for key, v in doc:
        if key == "hypotheses" and isinstance(v, list) and not isinstance(v, Obj):
            for h in v:
                if isinstance(h, Obj):
                    fill(h, HYPOTHESIS_DEFAULTS)
    analysis = [v for k, v in doc if k == "analysis"]
    if not analysis:
        doc.append(("analysis", Obj()))
        analysis = [doc[-1][1]]
    if isinstance(analysis[0], Obj):
        fill(analysis[0], ANALYSIS_DEFAULTS)
    frozen = Obj((k, v) for k, v in doc if k in FROZEN)
    return dump(frozen, True)


def main(argv):
    mode = "hash"
    if argv and argv[0] in ("--json", "--any"):
        mode = argv.pop(0)
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    try:
        root = compose(argv[0])
        if mode == "--any":
            text = dump(value_typed(root) if root else None, False)
        else:
            text = protocol_json(root)
    except Unhashable as e:
        sys.stderr.write("canonical_check: cannot hash: %s\n" % e)
        return 1
    if mode == "hash":
        sys.stdout.write(hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
