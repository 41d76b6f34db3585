"""Column lists and a subquery that read alike in both engines' SQL, so that each is written once."""

from __future__ import annotations

MEMORY_COLUMNS = "state, step, stability, difficulty, due, last_review, reviews"  # the order of `Memory`
CARD_MEMORY_COLUMNS = ", ".join(f"c.{column}" for column in MEMORY_COLUMNS.split(", "))  # beside quizzes.state
SCHEDULE_COLUMNS = (
    "id, guild_id, channel_id, days, at, zone, topic, duration, created_by, created_at, last_fired, pick, answers"
)
LATEST_QUIZ = (  # a question's latest quiz in its guild, how it was last posted; `table` names the outer row
    "SELECT latest.id FROM quizzes AS latest WHERE latest.guild_id = {table}.guild_id"
    " AND latest.question_id = {table}.question_id ORDER BY latest.started_at DESC LIMIT 1"
)
