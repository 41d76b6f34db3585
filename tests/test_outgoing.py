"""The outgoing-message builder: nothing it returns breaks a Discord limit, and split text loses nothing."""

from __future__ import annotations

import pytest
from fakediscord.limits import validate_message_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.outgoing import (
    CHOICE_LIMIT,
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    MIN_SPLIT_LIMIT,
    Post,
    choice_name,
    choice_value,
    clip,
    embed_size,
    fit_choices,
    fit_embed,
    fit_lines,
    open_fence,
    pack,
    quoted,
    split_text,
)


def assert_fits(posts: list[Post]) -> None:
    for post in posts:
        # The loopback Discord's own validator: one definition of the limits for the whole suite.
        validate_message_body({"content": post.content, "embeds": list(post.embeds)})


def squeezed(text: str) -> str:
    return "".join(text.split())


def is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(char in rest for char in part)


# -- clipping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("eleven char", 10, "eleven ch…"), ("", 5, "")],
)
def test_clip(text: str, limit: int, clipped: str) -> None:
    assert clip(text, limit) == clipped


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("trees", "`trees`"),
        ("a `tick` and\nnewline", "`a 'tick' and newline`"),
        ("x" * 5000, f"`{'x' * 99}…`"),
        ("   ", "``"),
    ],
)
def test_quoted_input_is_one_short_line_of_code(typed: str, shown: str) -> None:
    assert quoted(typed) == shown


# -- lists -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "limit", "text"),
    [
        (["a", "b", "c"], 100, "a\nb\nc"),
        (["a" * 10, "b" * 10, "c" * 30], 40, f"{'a' * 10}\n{'b' * 10}\n… and 1 more"),
        (["a" * 10, "b" * 10, "c" * 10], 31, f"{'a' * 10}\n… and 2 more"),  # room is kept for the count
        (["a" * 50, "b"], 20, f"{'a' * 6}…\nb"),  # the first line is clipped, not dropped
        ([], 10, ""),
    ],
)
def test_fit_lines_keeps_whole_lines_and_counts_the_rest(lines: list[str], limit: int, text: str) -> None:
    assert fit_lines(lines, limit) == text


def test_fit_lines_counts_lines_the_caller_held_back() -> None:
    assert fit_lines(["a", "b"], 100, left_out=3) == "a\nb\n… and 3 more"
    assert fit_lines(["a", "b"], 100, sep="\n\n") == "a\n\nb"


def test_fit_lines_wraps_the_lines_and_keeps_the_count_outside() -> None:
    lines = [f"file{i}.md:1: error" for i in range(500)]
    text = fit_lines(lines, 300, lambda n: f"{n} more", before="```\n", after="\n```")
    assert len(text) <= 300
    assert text.startswith("```\nfile0.md:1: error\n")
    body, fence, more = text.rpartition("\n```\n")
    assert fence and int(more.split()[0]) == 500 - len(body.split("\n")) + 1  # "```" is the first line


_line = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n…"), max_size=300)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line), st.integers(60, 3000))
def test_fit_lines_never_exceeds_its_limit_and_counts_exactly(lines: list[str], limit: int) -> None:
    text = fit_lines(lines, limit)
    assert len(text) <= limit
    shown = text.split("\n") if lines else []
    hidden = int(shown.pop().split()[2]) if shown and shown[-1].startswith("… and ") else 0
    assert len(shown) + hidden == len(lines)
    assert shown[1:] == lines[1 : len(shown)]  # whole lines after the first
    if shown:
        assert lines[0].startswith(shown[0].removesuffix("…"))


# -- embeds and messages -----------------------------------------------------------------------

_any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40).map(lambda t: t * 200)


@st.composite
def embeds(draw: st.DrawFn) -> dict:
    embed: dict = {"description": draw(_any_text), "color": 1}
    if draw(st.booleans()):
        embed["title"] = draw(_any_text)
    if draw(st.booleans()):
        embed["footer"] = {"text": draw(_any_text)}
    if draw(st.booleans()):
        embed["author"] = {"name": draw(_any_text)}
    fields = draw(st.integers(0, 40))
    if fields:
        embed["fields"] = [{"name": draw(_any_text) or "n", "value": draw(_any_text) or "v"} for _ in range(fields)]
    return embed


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(embeds(), max_size=25), _any_text)
def test_any_embeds_and_content_pack_into_messages_discord_accepts(drawn: list[dict], content: str) -> None:
    posts = pack(drawn, content)
    assert_fits(posts)
    assert sum(len(post.embeds) for post in posts) == len(drawn)  # grouped, never dropped
    assert posts[-1].content == clip(content, CONTENT_LIMIT)


@pytest.mark.parametrize(
    ("embed", "part", "length"),
    [
        ({"title": "t" * 300}, lambda e: e["title"], 256),
        ({"description": "d" * 5000}, lambda e: e["description"], 4096),
        ({"footer": {"text": "f" * 3000}}, lambda e: e["footer"]["text"], 2048),
        ({"author": {"name": "a" * 300}}, lambda e: e["author"]["name"], 256),
        ({"fields": [{"name": "n" * 300, "value": "v"}]}, lambda e: e["fields"][0]["name"], 256),
        ({"fields": [{"name": "n", "value": "v" * 2000}]}, lambda e: e["fields"][0]["value"], 1024),
        ({"fields": [{"name": "n", "value": "v"}] * 30}, lambda e: e["fields"], 25),
    ],
)
def test_fit_embed_clips_each_part_to_its_limit(embed: dict, part, length: int) -> None:
    fitted = fit_embed(embed)
    assert len(part(fitted)) == length
    assert_fits([Post(embeds=(fitted,))])


def test_one_embed_over_the_message_total_drops_its_last_fields() -> None:
    fields = [{"name": "n" * 256, "value": "v" * 1024} for _ in range(25)]
    fitted = fit_embed({"description": "d" * 4096, "title": "t" * 256, "fields": fields})
    assert (embed_size(fitted), len(fitted["fields"])) == (5632, 1)


def test_one_embed_over_the_message_total_without_fields_clips_its_description() -> None:
    fitted = fit_embed({"description": "d" * 4096, "title": "t" * 256, "footer": {"text": "f" * 2048}})
    assert embed_size(fitted) == 6000
    assert fitted["description"].endswith("d…")


# -- splitting markdown ------------------------------------------------------------------------

LONG_CODE_LINE = "```json\n" + '{"k":"' + "v" * 4090 + '"}' + "\n```"
LONG_INFO_STRING = "```" + "python " + "i" * 3000 + "\n" + "\n".join(f"x_{i} = {i}" for i in range(400)) + "\n```"


@pytest.mark.parametrize(
    "text",
    [
        LONG_CODE_LINE,
        LONG_INFO_STRING,
        "```" + "i" * 3000 + "\n" + "y" * 4000 + "\n```",
        "```\n" + "z" * 20_000 + "\n```",
        "`" * 5000,
        "~~~~ text\n" + "a\n" * 3000 + "~~~~",
        "word " * 3000,
        "\n".join("short" for _ in range(3000)),
    ],
    ids=[
        "4096-char code line",
        "3000-char info string",
        "info string and long line",
        "20000-char code line",
        "backticks",
        "tildes",
        "words",
        "lines",
    ],
)
def test_split_text_fits_every_chunk_keeps_fences_balanced_and_loses_nothing(text: str) -> None:
    chunks = split_text(text, EMBED_DESCRIPTION_LIMIT)
    assert max(len(chunk) for chunk in chunks) <= EMBED_DESCRIPTION_LIMIT
    assert all(open_fence(chunk) == "" for chunk in chunks[:-1])
    assert is_subsequence(squeezed(text), squeezed("\n".join(chunks)))


def test_a_long_info_string_is_shown_once_and_the_language_carried_over() -> None:
    chunks = split_text(LONG_INFO_STRING, EMBED_DESCRIPTION_LIMIT)
    assert len(chunks) > 1
    assert chunks[0].startswith("```python " + "i" * 3000 + "\n")
    assert all(chunk.startswith("```python\n") for chunk in chunks[1:])


def test_split_text_keeps_code_fences_balanced_in_every_chunk() -> None:
    code = "```python\n" + "\n".join(f"x_{i} = {i}" for i in range(600)) + "\n```"
    chunks = split_text(f"Intro.\n\n{code}\n\nOutro.", 1000)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= 1000
        assert chunk.count("```") % 2 == 0
    joined = "\n".join(chunks)
    assert all(f"x_{i} = {i}" in joined for i in range(600))
    assert chunks[1].startswith("```python\n")


@pytest.mark.parametrize(
    ("text", "fence"),
    [
        ("```py\ncode", "```py"),
        ("```py\ncode\n```", ""),
        ("````\n```\n", "````"),  # a shorter run does not close a longer fence
        ("~~~\n```\n", "~~~"),
        ("```a`b\ncode", ""),  # a backtick in the info string: inline code, not a fence
        ("`" * 20 + "\ncode", ""),  # an absurd run is text
        ("   ```\nx", "```"),
    ],
)
def test_open_fence_follows_commonmark(text: str, fence: str) -> None:
    assert open_fence(text) == fence


def test_an_overlong_line_is_cut_at_a_space_when_one_is_near() -> None:
    text = ("lorem ipsum " * 1000).strip()
    chunks = split_text(text, 1000)
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert all(chunk.endswith(("lorem ", "ipsum ")) for chunk in chunks[:-1])
    assert "".join(chunks) == text


def test_a_cut_never_separates_a_letter_from_its_accent() -> None:
    text = "e\u0301" * 3000  # é as e + combining acute accent
    chunks = split_text(text, 1000)
    assert all(chunk[0] != "\u0301" for chunk in chunks)
    assert "".join(chunks) == text


def test_split_text_refuses_a_limit_too_small_for_fences() -> None:
    with pytest.raises(ValueError):
        split_text("x", MIN_SPLIT_LIMIT - 1)


_scripts = st.characters(exclude_categories=("Cs",))
_lines = st.one_of(
    st.text(_scripts, max_size=80),  # short lines, in every script
    st.text(_scripts, min_size=1, max_size=30).map(lambda t: t * 400),  # very long lines
    st.sampled_from(["```", "~~~", "````", "```python", "", "    ```", "```" + "info " * 700]),  # fences
    st.integers(0, 9000).map(lambda n: "```" + "i" * n),  # long info strings
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_lines, max_size=60).map("\n".join), st.sampled_from([MIN_SPLIT_LIMIT, 1024, 2000, 4096]))
def test_any_markdown_splits_within_the_limit_with_balanced_fences_and_nothing_lost(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert all(open_fence(chunk) == "" for chunk in chunks[:-1])
    assert is_subsequence(squeezed(text), squeezed("\n".join(chunks)))


# -- autocomplete choices ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["ml/short-id", "x" * 100, "deep/" + "very-long-id-" * 20, "#hash-like", "é" * 150],
)
def test_every_name_gets_a_choice_value_that_resolves_back(name: str) -> None:
    value = choice_value(name)
    assert 1 <= len(value) <= CHOICE_LIMIT
    assert value == choice_value(name)  # stable across calls and restarts
    assert choice_name(value, ["other", name, "ml/else"]) == name
    assert choice_name(name, ["other", name]) == name  # typed in full, too


def test_a_value_that_stands_for_nothing_resolves_to_nothing() -> None:
    assert choice_name("#" + "0" * 32, ["a", "b" * 200]) is None
    assert choice_name("missing", ["a"]) is None


def test_fit_choices_caps_count_and_lengths() -> None:
    long = "q/" + "n" * 300
    fitted = fit_choices([(f"Title {i} " * 30, long if i == 0 else f"q/{i}") for i in range(40)])
    assert len(fitted) == 25
    assert all(1 <= len(name) <= 100 and 1 <= len(value) <= 100 for name, value in fitted)
    assert fitted[0][1] == choice_value(long) and fitted[1][1] == "q/1"
    assert fit_choices([("", "v")]) == [("v", "v")]


def test_clip_keeps_the_description_limit() -> None:
    assert len(clip("x" * 9000, EMBED_DESCRIPTION_LIMIT)) == EMBED_DESCRIPTION_LIMIT
