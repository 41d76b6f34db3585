"""Property: any valid question, written out as markdown and parsed back, keeps its structure."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.questions import Option, Question, parse_question

# Letters of every script and sentence punctuation; markdown syntax characters are left out so
# that generated prose cannot accidentally become a heading, list or code fence.
_CHARS = st.characters(categories=("L", "Nd"), include_characters=" .,;:?!'")
_phrase = (
    st.text(_CHARS, min_size=1, max_size=60)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s[0].isdigit())
)
_paragraphs = st.lists(_phrase, min_size=1, max_size=3).map("\n\n".join)


@st.composite
def questions(draw: st.DrawFn) -> Question:
    correct = draw(st.lists(st.booleans(), min_size=2, max_size=20).filter(any))
    texts = draw(st.lists(_phrase, min_size=len(correct), max_size=len(correct)))
    return Question(
        id="topic/q",
        topic="topic",
        title=draw(_phrase),
        body=draw(_paragraphs),
        prompt="Which of the following are correct?",
        options=tuple(Option(t, c) for t, c in zip(texts, correct, strict=True)),
        explanation=draw(_paragraphs),
        reading=draw(st.lists(_phrase, min_size=1, max_size=3).map(lambda xs: "\n".join(f"- {x}" for x in xs))),
        tags=tuple(draw(st.lists(st.sampled_from(["metrics", "trees", "nn"]), unique=True, max_size=3))),
        difficulty=draw(st.sampled_from([None, "easy", "medium", "hard"])),
    )


def to_markdown(q: Question) -> str:
    front = []
    if q.tags:
        front.append(f"tags: [{', '.join(q.tags)}]")
    if q.difficulty:
        front.append(f"difficulty: {q.difficulty}")
    header = f"---\n{chr(10).join(front)}\n---\n" if front else ""
    options = "\n".join(f"- [{'x' if o.correct else ' '}] {o.text}" for o in q.options)
    return (
        f"{header}# {q.title}\n\n{q.body}\n\n**{q.prompt}**\n\n{options}\n\n"
        f"## Answer\n\n{q.explanation}\n\n## Reading\n\n{q.reading}\n"
    )


@settings(max_examples=200, deadline=None)
@given(questions())
def test_written_question_parses_back_to_the_same_structure(question: Question) -> None:
    parsed = parse_question(to_markdown(question), path="topic/q.md", qid="topic/q", topic="topic")
    assert parsed.problems == ()
    assert parsed.question == question
