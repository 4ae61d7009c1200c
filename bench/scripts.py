"""Script variants: real page templates carrying real Arabic, Uyghur and Chinese text.

The shared corpus holds almost no Arabic-script or Chinese articles (two CJK
pages), so each of its pages becomes one in those scripts: the article's
paragraphs (located through the ground truth) take the text of the Universal
Declaration of Human Rights in that language (the UN's own translations;
Uyghur from its published Arabic-script version), with news sentences that
carry figures in Eastern Arabic digits. The page around the article (menus,
scripts, metadata) is the real one.

Classes:

- ``churn-arabic``, ``churn-uyghur``, ``churn-chinese`` (noise): the second
  version is the first with what no reader sees changed: zero-width spaces and
  joiners, bidi marks and isolates, soft hyphens, Arabic tatweel, presentation
  forms, no-break spaces. Must give 0 alerts.
- ``figure-eastern-digits`` (edit): ``٨٠٬٠٠٠`` → ``٨٬٠٠٠`` in an Arabic
  paragraph; a ``figure`` change naming both.
- ``word-chinese``, ``word-arabic``, ``word-uyghur`` (edits): one word
  replaced; the diff must name that whole word, never single characters or
  the whole run of unspaced text.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from typing import Any

from bench.variants import Edit, Located, body_paragraphs, locate, parse, serialize

TEXTS = {
    "arabic": (
        "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا وعليهم "
        "أن يعامل بعضهم بعضًا بروح الإخاء.",
        "لكل إنسان حق التمتع بكافة الحقوق والحريات الواردة في هذا الإعلان، دون أي تمييز، "
        "كالتمييز بسبب العنصر أو اللون أو الجنس أو اللغة أو الدين أو الرأي السياسي أو أي رأي "
        "آخر، أو الأصل الوطني أو الاجتماعي أو الثروة أو الميلاد أو أي وضع آخر.",
        "قال المسؤولون في المدينة إن ٨٠٬٠٠٠ شخص فروا من منازلهم خلال الأسبوع الماضي، وإن "
        "١٢ مخيمًا أقيمت على أطرافها.",
        "لكل فرد الحق في الحياة والحرية وسلامة شخصه.",
        "لا يعرض أي إنسان للتعذيب ولا للعقوبات أو المعاملات القاسية أو الوحشية أو الحاطة "
        "بالكرامة.",
        "لا يجوز القبض على أي إنسان أو حجزه أو نفيه تعسفاً.",
    ),
    "uyghur": (
        "ھەممە ئادەم تۇغۇلۇشىدىنلا ئەركىن، ئىززەت-ھۆرمەت ۋە ھوقۇقتا باب-باراۋەر بولۇپ "
        "تۇغۇلغان. ئۇلار ئەقىلگە ۋە ۋىجدانغا ئىگە ھەمدە بىر-بىرىگە قېرىنداشلىق "
        "مۇناسىۋىتىگە خاس روھ بىلەن مۇئامىلە قىلىشى كېرەك.",
        "ئۈرۈمچى شەھىرىدە ١٢ كىشى قولغا ئېلىندى، ئۇلارنىڭ ئائىلىسىگە ھېچقانداق ئۇچۇر "
        "بېرىلمىدى.",
        "قول باش پۇت كۆز جەڭچى جۇدې سان سەي ئې شىر شاڭخەي كىتاب ۋەتەن تومۇر كۆمۈر ئېلىكتىر "
        "ۋەتەن ۋيېتنام شىنجاڭ ئانار ئەنجۈر ئوردا ئۇرۇش ئۆردەك ئۈزۈم ئېلان ئىنكاس.",
    ),
    "chinese": (
        "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。",
        "人人有资格享有本宣言所载的一切权利和自由，不分种族、肤色、性别、语言、宗教、政治或其他"
        "见解、国籍或社会出身、财产、出生或其他身份等任何区别。",
        "人人有权享有生命、自由和人身安全。",
        "任何人不得加以酷刑，或施以残忍的、不人道的或侮辱性的待遇或刑罚。",
        "任何人不得加以任意逮捕、拘禁或放逐。",
        "国务院总理今天在北京会见了美国国务卿，双方就贸易问题交换了意见。",
    ),
}
TITLES = {"arabic": "الإعلان العالمي لحقوق الإنسان", "uyghur": "ئىنسان ھوقۇقى خىتابنامىسى",
          "chinese": "世界人权宣言"}
# One word each edit replaces, and what replaces it.
WORD_EDITS = {"arabic": ("والحقوق", "والواجبات"), "uyghur": ("ئەركىن", "باراۋەر"),
              "chinese": ("北京", "上海")}
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad")
ISOLATES = (("\u2067", "\u2069"), ("\u202b", "\u202c"), ("\u2068", "\u2069"))


def _presentation_forms() -> dict[str, list[str]]:
    """Arabic letters and the presentation forms that fold back to them (NFKC)."""
    forms: dict[str, list[str]] = {}
    for code in range(0xFE70, 0xFEFF):
        character = chr(code)
        folded = unicodedata.normalize("NFKC", character)
        if len(folded) == 1 and "\u0600" <= folded <= "\u06ff":
            forms.setdefault(folded, []).append(character)
    return forms


PRESENTATION = _presentation_forms()


def script_page(raw: bytes, truth: str, script: str) -> tuple[bytes, Located] | None:
    """The page with its article's paragraphs (and title) in ``script``."""
    root = parse(raw)
    loc = locate(root, truth)
    if loc is None:
        return None
    paragraphs = body_paragraphs(loc)
    if len(paragraphs) < 2:
        return None
    texts = TEXTS[script]
    for index, paragraph in enumerate(paragraphs):
        for child in list(paragraph):
            paragraph.remove(child)
        paragraph.text = texts[index % len(texts)]
    title = TITLES[script]
    for element in (root.find(".//title"), *loc.body.iter("h1")):
        if element is not None:
            for child in list(element):
                element.remove(child)
            element.text = title
    return serialize(root), loc


def churn(text: str, script: str, rng: random.Random) -> str:
    """``text`` with invisible characters and compatibility forms put in: the same
    wording to a reader."""
    out = []
    for character in text:
        roll = rng.random()
        if character == " " and roll < 0.15:
            out.append(rng.choice(("\u00a0", "\u202f", "  ")))
            continue
        if script != "chinese" and character in PRESENTATION and roll < 0.1:
            out.append(rng.choice(PRESENTATION[character]))
            continue
        out.append(character)
        if character.isalpha() and roll > 0.9:
            out.append(rng.choice(INVISIBLE))
        elif script != "chinese" and "\u0628" <= character <= "\u064a" and roll > 0.85:
            out.append("\u0640")  # tatweel stretches a joining letter
    churned = "".join(out)
    opening, closing = rng.choice(ISOLATES)
    return f"{opening}{churned}{closing}" if rng.random() < 0.3 else churned


def churn_case(script: str) -> Callable[[bytes, str, int], tuple[bytes, bytes, None] | None]:
    def make(raw: bytes, truth: str, seed: int) -> tuple[bytes, bytes, None] | None:
        made = _script_paragraphs(raw, truth, script)
        if made is None:
            return None
        before, root, found = made
        rng = random.Random(f"{seed}-churn-{script}")
        for paragraph in found:
            paragraph.text = churn(paragraph.text or "", script, rng)
        return before, serialize(root), None
    return make


def _script_paragraphs(raw: bytes, truth: str, script: str
                       ) -> tuple[bytes, Any, list[Any]] | None:
    """The script page, its tree parsed anew (to edit), and the paragraphs of script text."""
    made = script_page(raw, truth, script)
    if made is None:
        return None
    root = parse(made[0])
    found = locate_script(root, script)
    return (made[0], root, found) if found else None


def locate_script(root: object, script: str) -> list[object] | None:
    """The paragraphs holding the script's text in a page ``script_page`` made."""
    texts = set(TEXTS[script])
    found = [e for e in root.iter("p", "div", "li")  # type: ignore[attr-defined]
             if (e.text or "") in texts]
    return found or None


def edit_case(script: str, old: str, new: str, expect: tuple[str, str]
              ) -> Callable[[bytes, str, int], tuple[bytes, bytes, Edit] | None]:
    def make(raw: bytes, truth: str, seed: int) -> tuple[bytes, bytes, Edit] | None:
        made = _script_paragraphs(raw, truth, script)
        if made is None:
            return None
        before, root, found = made
        paragraphs = [p for p in found if old in (p.text or "")]
        if not paragraphs:
            return None
        chosen = random.Random(f"{seed}-{script}").choice(paragraphs)
        chosen.text = chosen.text.replace(old, new, 1)
        edit = Edit(frozenset({new}), frozenset({old}), old, "body", expect=expect)
        return before, serialize(root), edit
    return make


NOISE = {f"churn-{script}": churn_case(script) for script in TEXTS}
EDITS = {
    "figure-eastern-digits": edit_case("arabic", "٨٠٬٠٠٠", "٨٬٠٠٠", ("body", "figure")),
    **{f"word-{script}": edit_case(script, *WORD_EDITS[script], ("body", "*"))
       for script in TEXTS},
}
CLASSES = {**NOISE, **EDITS}
