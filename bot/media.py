"""What a message shows besides its text: a typeset image of its formulas and its figures. Pure.

Layout: a message's formulas are typeset together in one image (one upload, one embed image,
whatever the number of formulas), each paragraph or option as a row labelled with its letter; the
text keeps the TeX as inline code for copying and screen readers. Each figure is its own embed
image (an embed shows one image): uploaded when it is a bank file, by URL when it is https://.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from bot.figures import find_images
from bot.math_spans import find_spans
from bot.outgoing import Attachment, Embed, attachment_url


@dataclass(frozen=True)
class Media:
    formulas: Attachment | None  # shown as the image of the message's last text embed
    figures: tuple[Embed, ...]  # one embed each, after the text
    files: tuple[Attachment, ...]


def rows(parts: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(label, text) parts cut into paragraphs; only those with a formula are typeset."""
    found = []
    for label, text in parts:
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        for n, paragraph in enumerate(paragraphs):
            if find_spans(paragraph):
                found.append((label if n == 0 else "", " ".join(paragraph.split())))
    return tuple(found)


def media(prefix: str, parts: Sequence[tuple[str, str]], folder: str, colour: int) -> Media:
    """The formula image and figures of one message built from `parts` ((label, text) pairs)."""
    typeset = rows(parts)
    formulas = Attachment(f"{prefix}-formulas.png", rows=typeset) if typeset else None
    embeds: list[Embed] = []
    files: list[Attachment] = []
    for image in (image for _, text in parts for image in find_images(text)):
        if image.remote:
            url = image.src
        else:
            name = f"{prefix}-figure-{len(files) + 1}{posixpath.splitext(image.src)[1].lower()}"
            files.append(Attachment(name, path=posixpath.normpath(posixpath.join(folder, image.src))))
            url = attachment_url(name)
        embeds.append({"image": {"url": url}, "color": colour})
    if formulas is not None:
        files.append(formulas)
    return Media(formulas, tuple(embeds), tuple(files))
