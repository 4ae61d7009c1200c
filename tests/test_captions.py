"""Captions stay in the article text (monitor.extract.captions)."""

from __future__ import annotations

from monitor.extract.article import extract

ARTICLE = """<!doctype html><html><head><title>Flooding in the valley</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Flooding in the valley</h1>
<p>Rivers burst their banks across the valley on Monday, and officials said that more
than eight thousand people had left their homes by the evening.</p>
{figure}
<p>Rescue teams worked through the night to reach villages that the water had cut off,
and the regional government asked the army for boats and helicopters.</p>
<p>Forecasters expect more rain on Wednesday, and schools will stay closed all week
while engineers inspect the bridges that the water reached.</p>
</article><footer>© The Valley Herald</footer></body></html>"""


def _text(figure: str) -> str:
    return "\n".join(extract(ARTICLE.format(figure=figure), "https://herald.test/a").paragraphs)


def test_a_figure_caption_is_part_of_the_text() -> None:
    text = _text('<figure><img src="/flood.jpg?v=1" alt=""><figcaption>Residents wade '
                 'through the main street of Ostrava. Photo: Jana Novak</figcaption></figure>')
    assert "Residents wade through the main street of Ostrava. Photo: Jana Novak" in text
    assert "flood.jpg" not in text  # the image's address never comes in


def test_a_caption_class_outside_a_figure_is_kept() -> None:
    text = _text('<div class="wp-caption"><img src="/flood.jpg"><p class="wp-caption-text">'
                 'A bridge closed by the water near Brno</p></div>')
    assert "A bridge closed by the water near Brno" in text


def test_a_figure_without_a_caption_is_dropped_as_before() -> None:
    text = _text('<figure><img src="/chart.png"><div>Chart widget loading</div></figure>')
    assert "Chart widget loading" not in text
    assert "Rescue teams worked through the night" in text


def test_a_caption_edit_changes_the_text() -> None:
    before = _text("<figure><img src='/a.jpg'><figcaption>Rioters outside the town hall"
                   "</figcaption></figure>")
    after = _text("<figure><img src='/a.jpg'><figcaption>Protesters outside the town hall"
                  "</figcaption></figure>")
    assert before != after
    assert "Protesters outside the town hall" in after
