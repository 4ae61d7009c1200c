"""A YAML syntax error, said in the words of someone editing the file by hand.

The parser reports what it expected ("expected <block end>, but found
'<block mapping start>'") and often where it gave up rather than where the
mistake is: an unclosed quote is reported at the end of the file, a missing
':' on the line after. Here the error's kind and the lines around it are
read again to name the mistake, the line it is on (always a line of the
file), and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml.error import MarkedYAMLError

#: the text before a value: indentation, list dashes, and a key with its ':'
LEAD = re.compile(r"^(?P<indent> *)(?P<dashes>(?:- +)*)(?P<key>[^\s:#'\"][^:#]*?:(?: +|$))?")
#: a value that opens with a quote
OPENING_QUOTE = re.compile(r"^ *(?:- +)*(?:[^\s:#'\"][^:#]*?: +)?(?P<quote>[\"'])(?P<rest>.*)$")


@dataclass(frozen=True)
class Lines:
    """The file's lines, 1-based, and what can be read off each."""

    lines: list[str]

    def clamp(self, line: int) -> int:
        """A line that exists: a mark past the end of the file is its last written line."""
        if line > len(self.lines):
            return self.previous(len(self.lines) + 1) or max(len(self.lines), 1)
        return max(line, 1)

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def is_content(self, line: int) -> bool:
        stripped = self.text(line).strip()
        return bool(stripped) and not stripped.startswith("#")

    def previous(self, line: int) -> int:
        """The nearest line above ``line`` that holds something other than a comment; 0."""
        for number in range(min(line, len(self.lines) + 1) - 1, 0, -1):
            if self.is_content(number):
                return number
        return 0

    def indent(self, line: int) -> int:
        text = self.text(line)
        return len(text) - len(text.lstrip(" "))

    def key_column(self, line: int) -> int:
        """Where the line's key (or value) starts, after its indentation and dashes."""
        match = LEAD.match(self.text(line))
        return len(match["indent"]) + len(match["dashes"]) if match else self.indent(line)

    def parent(self, line: int) -> int:
        """The nearest line above ``line`` whose key is further out: its block's key; 0."""
        column = self.key_column(line)
        for number in range(line - 1, 0, -1):
            if self.is_content(number) and self.key_column(number) < column:
                return number
        return 0

    def key(self, line: int) -> str:
        match = LEAD.match(self.text(line))
        return match["key"].strip().rstrip(":").strip() if match and match["key"] else ""

    def has_value_after_key(self, line: int) -> bool:
        match = LEAD.match(self.text(line))
        return bool(match and match["key"] and self.text(line)[match.end():].strip()
                    and not self.text(line)[match.end():].lstrip().startswith("#"))

    def unclosed_quote(self, line: int) -> str | None:
        """The quote a value on ``line`` opens and never closes on that line; None."""
        match = OPENING_QUOTE.match(self.text(line))
        if not match:
            return None
        quote, rest = match["quote"], match["rest"]
        if quote == "'":
            closed = re.search(r"(?<!')'(?!')|''$", rest) is not None or rest.endswith("'")
        else:
            closed = re.search(r'(?<!\\)"', rest) is not None
        return None if closed else quote


def explain(text: str, error: MarkedYAMLError) -> tuple[int, str]:
    """The line (1-based, one the file has) and plain words for a YAML syntax error."""
    lines = Lines(text.splitlines())
    problem = str(error.problem or "")
    context = str(error.context or "")
    mark = error.problem_mark or error.context_mark
    at = mark.line + 1 if mark else 1
    column = mark.column if mark else 0
    start = error.context_mark.line + 1 if error.context_mark else at
    for explainer in (_tab, _reserved_start, _documents, _duplicate, _quoted, _simple_key,
                      _colon, _block_end, _escape, _flow):
        found = explainer(lines, problem, context, at, column, start)
        if found:
            return lines.clamp(found[0]), found[1]
    return lines.clamp(at), (f"this is not valid YAML ({problem or context}): check the "
                             "indentation and the quotes of this line and the one above")


Found = tuple[int, str] | None


def _tab(lines: Lines, problem: str, context: str, at: int, column: int, start: int) -> Found:
    if "'\\t'" not in problem:
        return None
    before = lines.text(at)[:column]
    if not before.strip(" -"):
        return at, ("a tab is not allowed for indentation: indent with spaces "
                    "(as the lines around it)")
    return at, "a tab is not allowed here: YAML takes spaces only; write a space instead"


def _reserved_start(lines: Lines, problem: str, context: str, at: int, column: int,
                    start: int) -> Found:
    reserved = re.search(r"found character '(.)' that cannot start any token", problem)
    alias = re.search(r"found undefined alias '([^']*)'", problem)
    if not (reserved or alias):
        return None
    char = reserved[1] if reserved else "*"
    return at, (f"a value cannot start with '{char}' (YAML reserves it): put the value in "
                f"quotes, as {_quoted_example(lines.text(at))}")


def _documents(lines: Lines, problem: str, context: str, at: int, column: int,
               start: int) -> Found:
    if "another document" not in problem and "single document" not in context:
        return None
    return at, ("a second document starts here (after '---' or '...'): a sources file is "
                "one document; remove the separator line")


def _duplicate(lines: Lines, problem: str, context: str, at: int, column: int,
               start: int) -> Found:
    duplicate = re.search(r'found duplicate key "(.*?)" with value', problem)
    if not duplicate:
        return None
    key, indent = duplicate[1], lines.key_column(at)
    first = next((n for n in range(at - 1, 0, -1)
                  if lines.key(n) == key and lines.key_column(n) == indent), 0)
    where = f" (first on line {first})" if first else ""
    return at, f"'{key}' is given twice in the same block{where}: keep one"


def _quoted(lines: Lines, problem: str, context: str, at: int, column: int,
            start: int) -> Found:
    if "while scanning a quoted scalar" not in context:
        return None
    opening = OPENING_QUOTE.match(lines.text(start))
    quote = opening["quote"] if opening else '"'
    return start, (f"the quote ({quote}) that starts this value is never closed: end the "
                   f"value with {quote} on this line")


def _simple_key(lines: Lines, problem: str, context: str, at: int, column: int,
                start: int) -> Found:
    if "could not find expected ':'" not in problem:
        return None
    return start, f"a ':' is missing on this line: write it as {_with_colon(lines.text(start))}"


def _colon(lines: Lines, problem: str, context: str, at: int, column: int,
           start: int) -> Found:
    if "mapping values are not allowed" not in problem:
        return None
    text = lines.text(at)
    lead = LEAD.match(text[:column])
    if lead and lead["key"] and column > lines.key_column(at):
        return at, ("this value holds ': ', which YAML reads as another key: put the value "
                    f"in quotes, as {_quoted_example(text)}")
    above = lines.previous(at)
    above_text = lines.text(above).strip()
    if above and re.match(r"^-[^\s-]", above_text):
        return above, ("a '-' that starts a list item needs a space after it: write "
                       f"'- {above_text[1:]}'")
    if above and ":" not in above_text.lstrip("- "):
        return above, f"a ':' is missing on this line: write it as {_with_colon(above_text)}"
    if above and lines.indent(at) > lines.key_column(above) and lines.has_value_after_key(above):
        return at, (f"this line is indented more than line {above} above it "
                    f"({spaces(lines.indent(at))}, not {lines.key_column(above)}), which already "
                    f"has a value: line it up with '{lines.key(above)}'")
    return None


def _block_end(lines: Lines, problem: str, context: str, at: int, column: int,
               start: int) -> Found:
    found = re.search(r"expected <block end>, but found '(.*?)'", problem)
    if not found:
        return None
    for number in range(start, at):
        quote = lines.unclosed_quote(number)
        if quote:
            return number, (f"the quote ({quote}) that starts this value is not closed on its "
                            f"line: end the value with {quote}")
    if found[1] in ("]", "}"):
        opening = "[" if found[1] == "]" else "{"
        return at, (f"a '{found[1]}' here closes nothing: remove it, or add the "
                    f"'{opening}' it closes")
    if found[1] == "<scalar>":
        return at, ("there is text after the closing quote: put the whole value inside the "
                    "quotes (a quote inside a value: \"...'...\" or '...\"...')")
    above = lines.previous(at)
    if found[1] == "-":
        parent = lines.parent(start)
        under = f" under '{lines.key(parent)}'" if parent and lines.key(parent) else ""
        return at, (f"a list item ('- ...') among the 'key: value' lines{under}: write it as "
                    "'key: value', or indent it under a key of its own")
    indent, expected = lines.indent(at), lines.key_column(above) if above else 0
    name = f"'{lines.key(above)}'" if lines.key(above) else f"line {above}"
    if found[1] == "?" and indent == lines.indent(start) and lines.text(start).lstrip() \
            .startswith("-"):
        return at, (f"this line is indented like the list items ('- ') at {spaces(indent)} "
                    f"but is not one: indent it to {expected}, as {name} above, or start "
                    "it with '- '")
    if indent < expected:
        return at, (f"this line is indented less than line {above} above it ({spaces(indent)}, "
                    f"not {expected}): line it up with {name}, or with a key further out")
    return at, (f"this line is indented more than line {above} above it ({spaces(indent)}, "
                f"not {expected}): line it up with {name}")


def _escape(lines: Lines, problem: str, context: str, at: int, column: int,
            start: int) -> Found:
    escape = re.search(r"found unknown escape character '(.)'", problem)
    if not escape:
        return None
    return at, (f"inside double quotes a backslash starts an escape, and '\\{escape[1]}' is "
                "not one: write \\\\ for a backslash, or use single quotes")


def _flow(lines: Lines, problem: str, context: str, at: int, column: int,
          start: int) -> Found:
    flow = re.search(r"while parsing a flow (sequence|mapping)", context)
    if not flow:
        return None
    opening, closing = ("[", "]") if flow[1] == "sequence" else ("{", "}")
    if at != start:
        return start, (f"the '{opening}' on this line is never closed: end it with "
                       f"'{closing}' on the same line")
    return at, (f"an item inside {opening} {closing} holds ':' or another sign YAML reads "
                "as structure: put that item in quotes")


def spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _with_colon(text: str) -> str:
    """``url https://e.org/a`` as ``'url: https://e.org/a'``; ``settings`` as ``'settings:'``."""
    stripped = text.strip()
    dashes = re.match(r"^(?:- +)*", stripped)
    lead = dashes.group() if dashes else ""
    word, _, rest = stripped[len(lead):].partition(" ")
    return f"'{lead}{word}: {rest.strip()}'" if rest.strip() else f"'{lead}{word}:'"


def _quoted_example(text: str) -> str:
    """The line with its value in quotes: ``interval: 'cron: "0 * * * *"'``."""
    match = LEAD.match(text)
    if not match or not match["key"]:
        return "'...'"
    value = text[match.end():].strip()
    quote = "'" if '"' in value or "'" not in value else '"'
    value = value.replace("'", "''") if quote == "'" else value
    return f"{match['dashes']}{match['key'].strip()} {quote}{value}{quote}".strip()
