"""Images in question markdown: `![alt](src)` and `<img src=…>`, and the rules for their files.

Finding and resolving are pure; `file_problem` alone looks at the disk. A local image is resolved
relative to the question file and must stay inside the bank folder; Discord shows PNG, JPEG, GIF
and WebP inline, up to a bot's 10 MB per upload.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.math_spans import code_ranges

UPLOAD_LIMIT = 10 * 1024 * 1024
ATTACHMENTS_PER_MESSAGE = 10
INLINE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})

_MARKDOWN = re.compile(r"!\[([^\]\n]*)\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+\"[^\"\n]*\")?\s*\)")
_HTML = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))[^>]*>", re.IGNORECASE)
_HTML_ALT = re.compile(r"\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)


@dataclass(frozen=True)
class Image:
    start: int  # offsets of the whole reference in the text
    end: int
    src: str
    alt: str

    @property
    def remote(self) -> bool:
        return self.src.lower().startswith("https://")


def find_images(text: str) -> list[Image]:
    """Every image reference in `text` outside code, in order."""
    code = code_ranges(text)
    found = [Image(m.start(), m.end(), m.group(2) or m.group(3), m.group(1)) for m in _MARKDOWN.finditer(text)]
    for m in _HTML.finditer(text):
        alt = _HTML_ALT.search(m.group())
        found.append(Image(m.start(), m.end(), next(g for g in m.groups() if g is not None), _first(alt)))
    return sorted((i for i in found if not any(s <= i.start < e for s, e in code)), key=lambda i: i.start)


def _first(match: re.Match | None) -> str:
    return next((g for g in match.groups() if g is not None), "") if match else ""


def without_images(text: str) -> str:
    """`text` with each image reference replaced by its alt text: the picture itself is attached."""
    out, position = [], 0
    for image in find_images(text):
        out += [text[position : image.start], f"🖼️ *{image.alt}*" if image.alt else "🖼️"]
        position = image.end
    return "".join([*out, text[position:]])


def resolve(src: str, question_folder: str) -> str | None:
    """The bank-relative path of local image `src` in a question in `question_folder` (bank-relative),
    or None when it leads outside the bank."""
    if "://" in src or src.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", src):
        return None
    folder = PurePosixPath(question_folder)
    joined = posixpath.normpath((folder / src.replace("\\", "/")).as_posix())
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def src_problem(image: Image) -> str | None:
    """What is wrong with a reference whatever the files say, or None."""
    if image.remote:
        return None
    if "://" in image.src or image.src.startswith("//"):
        return f"image `{image.src}`: only https:// links or files in the bank can be shown"
    if PurePosixPath(image.src).suffix.lower() not in INLINE_TYPES:
        return f"image `{image.src}`: Discord shows only PNG, JPEG, GIF and WebP inline"
    return None


def file_problem(path: Path, src: str) -> str | None:
    """What stops the file at `path` from being uploaded, or None."""
    try:
        size = path.stat().st_size
    except OSError:
        return f"image `{src}`: no such file"
    if size > UPLOAD_LIMIT:
        return f"image `{src}` is {size / 1024 / 1024:.1f} MB: Discord takes at most 10 MB per file"
    return None
