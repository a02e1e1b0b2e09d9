"""Card and model text as Markdown: HTML for the page, plain CommonMark for panel.md.

Card descriptions are block Markdown; headlines, quotes and beat notes are inline
Markdown (reviewers write `code` spans and **bold**, as the reference pages do). All of
it is untrusted, so markdown-it-py parses it with raw HTML off (it shows as text), no
images (the page's CSP loads nothing) and no headings (a card cannot restyle the page),
and a link survives only with an http(s) URL. The CommonMark output is re-written from
the same parse, so what panel.md carries is what the HTML page shows, escaped the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

REL = "nofollow noopener noreferrer"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&!#])")
_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")
# What can start inline syntax in CommonMark (escapes, code, emphasis, autolinks, an entity's `&`,
# a link's `](`: with no reference definitions inline, `[a]` alone is text) or that markdown-it
# rewrites: a line without any is plain text, and parsing it (most headlines, quotes and notes)
# is skipped. A test holds the two paths to the same HTML.
_INLINE_SYNTAX = re.compile(r"[\\`*_<>\x00]|&[#A-Za-z0-9]|\]\(")


def safe_url(url: object) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript:, data:, ...)."""
    text = str(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # a bracketed host that is no IP address (`http://[zz::1]/`): no link
        return None
    unsafe = any(c in text for c in "\"'<> \n\\")
    if parts.scheme in ("http", "https") and parts.netloc and not unsafe:
        return text
    return None


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", REL)
    return str(self.renderToken(tokens, idx, options, env))


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "html_block", "html_inline"])
    md.validateLink = lambda url: safe_url(url) is not None  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    return md


def html_block(text: object) -> Markup:
    """Block Markdown (paragraphs, lists, code) as safe HTML."""
    return Markup(parser().render(str(text)))


def html_inline(text: object) -> Markup:
    """One paragraph of inline Markdown as safe HTML; line breaks become spaces."""
    line = " ".join(str(text).split())
    if _INLINE_SYNTAX.search(line) is None:  # plain text: what markdown-it would make of it
        return Markup(line.replace("&", "&amp;").replace('"', "&quot;"))
    return Markup(parser().renderInline(line))


# ------------------------------------------------------------ CommonMark out


def md_escape(value: object) -> str:
    """Plain text that reads as itself in CommonMark, on one line."""
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def _code_span(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if code.startswith(("`", " ")) or code.endswith(("`", " ")) else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _inline_md(children: Sequence[Token]) -> str:
    out: list[str] = []
    hrefs: list[str] = []
    for token in children:
        if token.type == "text":
            out.append(_MD_SPECIAL.sub(r"\\\1", token.content))
        elif token.type == "code_inline":
            out.append(_code_span(token.content))
        elif token.type in ("strong_open", "strong_close", "em_open", "em_close"):
            out.append(token.markup)
        elif token.type == "link_open":
            hrefs.append(re.sub(r"([()\\])", r"\\\1", str(token.attrGet("href"))))
            out.append("[")
        elif token.type == "link_close":
            out.append(f"]({hrefs.pop()})")
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        else:  # anything else is shown as the text it was written as
            out.append(_MD_SPECIAL.sub(r"\\\1", token.content))
    text = " ".join("".join(out).split())
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def md_inline(text: object) -> str:
    """Inline Markdown re-written as safe CommonMark on one line (for quotes and table cells)."""
    tokens = parser().parseInline(" ".join(str(text).split()))
    return _inline_md(tokens[0].children or []) if tokens else ""


def md_block(text: object) -> str:
    """Block Markdown re-written as safe CommonMark: paragraphs, lists, code blocks, quotes."""
    lines: list[str] = []
    prefixes: list[str] = []
    markers: list[str] = []
    first = False
    for token in parser().parse(str(text)):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start") or 1
            markers.append("-" if token.type == "bullet_list_open" else f"{start}.")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            markers.pop()
            lines.append("")
        elif token.type == "list_item_open":
            prefixes.append(" " * (len(markers[-1]) + 1))
            first = True
        elif token.type == "list_item_close":
            prefixes.pop()
        elif token.type == "blockquote_open":
            prefixes.append("> ")
        elif token.type == "blockquote_close":
            prefixes.pop()
            lines.append("")
        elif token.type == "inline":
            lead = "".join(prefixes)
            if first:  # the item's first line carries its marker
                lead = "".join(prefixes[:-1]) + markers[-1] + " "
                first = False
            lines.append(lead + _inline_md(token.children or []))
        elif token.type == "paragraph_close" and not token.hidden:
            lines.append("".join(prefixes).rstrip())
        elif token.type in ("fence", "code_block"):
            fence = "`" * max([3, *(len(r) + 1 for r in re.findall(r"`{3,}", token.content))])
            lead = "".join(prefixes)
            body = [lead + line for line in token.content.rstrip("\n").split("\n")]
            lines += [lead + fence, *body, lead + fence, ""]
        elif token.type == "hr":
            lines += ["".join(prefixes) + "***", ""]
    return "\n".join(lines).strip("\n") + "\n"
