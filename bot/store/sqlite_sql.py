"""Every SQL statement of the SQLite engine, and its numbered migrations (`PRAGMA user_version`).

The PostgreSQL engine has a statement of the same name for each of these (`bot.store.postgres_sql`);
`bot.store.store` runs them by name, so the logic around them is written once. Parameters are `?`.
"""

from __future__ import annotations

from bot.store.columns import CARD_MEMORY_COLUMNS, LATEST_QUIZ, MEMORY_COLUMNS, SCHEDULE_COLUMNS

MIGRATIONS: tuple[str, ...] = (
    # 1: quizzes, the picks collected while they run, graded results, and running totals.
    """
    CREATE TABLE quizzes (
        id            INTEGER PRIMARY KEY,
        guild_id      INTEGER NOT NULL,
        channel_id    INTEGER NOT NULL,
        message_id    INTEGER UNIQUE,
        question_id   TEXT    NOT NULL,
        question_json TEXT    NOT NULL,
        scoring       TEXT    NOT NULL,
        started_by    INTEGER NOT NULL,
        started_at    REAL    NOT NULL,
        deadline      REAL    NOT NULL,
        state         TEXT    NOT NULL,
        closed_at     REAL,
        cancel_reason TEXT
    );
    CREATE UNIQUE INDEX quizzes_one_running_per_channel
        ON quizzes (channel_id) WHERE state IN ('posting', 'open');
    CREATE INDEX quizzes_unfinished ON quizzes (state) WHERE state IN ('posting', 'open', 'graded');
    CREATE INDEX quizzes_asked ON quizzes (guild_id, question_id, started_at);

    CREATE TABLE selections (
        quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
        user_id INTEGER NOT NULL,
        option  INTEGER NOT NULL,
        PRIMARY KEY (quiz_id, user_id, option)
    ) WITHOUT ROWID;

    CREATE TABLE results (
        quiz_id   INTEGER NOT NULL REFERENCES quizzes (id),
        guild_id  INTEGER NOT NULL,
        user_id   INTEGER NOT NULL,
        selected  TEXT    NOT NULL,
        points    REAL    NOT NULL,
        exact     INTEGER NOT NULL,
        graded_at REAL    NOT NULL,
        PRIMARY KEY (quiz_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX results_by_member ON results (guild_id, user_id);

    CREATE TABLE points (
        guild_id INTEGER NOT NULL,
        user_id  INTEGER NOT NULL,
        points   REAL    NOT NULL,
        answered INTEGER NOT NULL,
        exact    INTEGER NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX points_ranking ON points (guild_id, points DESC, user_id);
    """,
    # 2: what statistics, seasons, personal review and schedules need.
    """
    ALTER TABLE results ADD COLUMN topic TEXT;
    UPDATE results SET topic = (
        SELECT json_extract(question_json, '$.topic') FROM quizzes WHERE quizzes.id = results.quiz_id
    );
    -- Covering: a period's leaderboard sums without touching the table.
    CREATE INDEX results_by_time ON results (guild_id, graded_at, user_id, points, exact);
    CREATE INDEX results_by_member_time ON results (guild_id, user_id, graded_at);

    CREATE TABLE option_picks (
        quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
        option  INTEGER NOT NULL,
        picks   INTEGER NOT NULL,
        PRIMARY KEY (quiz_id, option)
    ) WITHOUT ROWID;
    INSERT INTO option_picks
        SELECT quiz_id, option, COUNT(*) FROM selections
        WHERE quiz_id IN (SELECT id FROM quizzes WHERE state IN ('graded', 'announced'))
        GROUP BY quiz_id, option;

    CREATE TABLE seasons (
        guild_id   INTEGER NOT NULL,
        number     INTEGER NOT NULL,
        started_at REAL    NOT NULL,
        started_by INTEGER NOT NULL,
        PRIMARY KEY (guild_id, number)
    ) WITHOUT ROWID;

    CREATE TABLE schedules (
        id         INTEGER PRIMARY KEY,
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        days       TEXT    NOT NULL,
        at         TEXT    NOT NULL,
        zone       TEXT    NOT NULL,
        topic      TEXT,
        duration   INTEGER,
        created_by INTEGER NOT NULL,
        created_at REAL    NOT NULL,
        last_fired REAL
    );
    CREATE INDEX schedules_by_guild ON schedules (guild_id);
    """,
    # 3: a close that survives anything: frozen answers, posting progress, the reason a step gave up.
    """
    ALTER TABLE quizzes ADD COLUMN question_parts  TEXT    NOT NULL DEFAULT '[]';
    ALTER TABLE quizzes ADD COLUMN lettered        INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE quizzes ADD COLUMN answers_read_at REAL;
    ALTER TABLE quizzes ADD COLUMN result_posts    TEXT;
    ALTER TABLE quizzes ADD COLUMN result_parts    TEXT    NOT NULL DEFAULT '[]';
    ALTER TABLE quizzes ADD COLUMN problem         TEXT;
    UPDATE quizzes SET question_parts = json_array(message_id) WHERE message_id IS NOT NULL;
    DROP INDEX quizzes_one_running_per_channel;
    CREATE UNIQUE INDEX quizzes_one_running_per_channel
        ON quizzes (channel_id) WHERE state IN ('posting', 'open', 'closing');
    DROP INDEX quizzes_unfinished;
    CREATE INDEX quizzes_unfinished ON quizzes (state) WHERE state IN ('posting', 'open', 'closing', 'graded');
    """,
    # 4: the order each quiz showed its options in (a JSON array: place -> index in the file).
    # Quizzes before it showed the file's order; their results and picks are by file index already.
    """
    ALTER TABLE quizzes ADD COLUMN option_order TEXT;
    UPDATE quizzes SET option_order = (SELECT json_group_array(key) FROM json_each(question_json, '$.options'));
    """,
    # 5: memory cards, one per member and question, with every review and the scheduler that made them.
    # `memory_scheduler` starts empty: filling it is the sign that past results were replayed.
    """
    CREATE TABLE memory_cards (
        id          INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        question_id TEXT    NOT NULL,
        state       INTEGER NOT NULL,
        step        INTEGER,
        stability   REAL    NOT NULL,
        difficulty  REAL    NOT NULL,
        due         REAL    NOT NULL,
        last_review REAL    NOT NULL,
        reviews     INTEGER NOT NULL,
        UNIQUE (guild_id, user_id, question_id)
    );
    CREATE INDEX memory_cards_due ON memory_cards (guild_id, user_id, due);
    CREATE INDEX memory_cards_by_question ON memory_cards (guild_id, question_id, last_review, stability);

    CREATE TABLE memory_reviews (
        card_id     INTEGER NOT NULL REFERENCES memory_cards (id),
        number      INTEGER NOT NULL,  -- the card's first review is 1: a first sight, not a recall
        rating      INTEGER NOT NULL,
        reviewed_at REAL    NOT NULL,
        quiz_id     INTEGER REFERENCES quizzes (id),  -- NULL: answered in the /review drill
        PRIMARY KEY (card_id, number)
    ) WITHOUT ROWID;

    CREATE TABLE memory_scheduler (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        settings TEXT NOT NULL
    );

    -- Each question's mean retrievability over its cards, as of `as_of` (NULL: a card changed since):
    -- `pick:review` reads this instead of a million cards, recomputing only what is stale.
    CREATE TABLE memory_recall (
        guild_id    INTEGER NOT NULL,
        question_id TEXT    NOT NULL,
        recall      REAL,
        as_of       REAL,
        PRIMARY KEY (guild_id, question_id)
    ) WITHOUT ROWID;

    ALTER TABLE schedules ADD COLUMN pick TEXT NOT NULL DEFAULT 'least-recent';
    """,
    # 6: how a quiz takes answers; in 'private' mode `selections` holds each member's stored menu choice.
    """
    ALTER TABLE quizzes ADD COLUMN answers TEXT NOT NULL DEFAULT 'reactions';
    """,
    # 7: how a schedule's quizzes take answers; NULL follows the server's `quiz.answers` when it fires.
    """
    ALTER TABLE schedules ADD COLUMN answers TEXT;
    """,
)


QUIZ_COLUMNS = (
    "id, guild_id, channel_id, message_id, question_json, scoring, started_by, started_at, deadline, state,"
    " question_parts, lettered, answers_read_at, result_posts, result_parts, option_order, answers"
)
_CARD_COLUMNS = f"id, guild_id, user_id, question_id, {MEMORY_COLUMNS}"
_PERIOD = "graded_at >= ? AND graded_at < ?"
_STATES = "?, ?, ?"  # the three states before grading, as parameters

# -- memory: the scheduler's settings and the replay of past results ---------------------------------

LOCK_MEMORY_START = "SELECT 1"  # BEGIN IMMEDIATE already keeps a second process out until commit
SCHEDULER_SETTINGS = "SELECT settings FROM memory_scheduler"
SAVE_SCHEDULER_SETTINGS = "INSERT INTO memory_scheduler VALUES (1, ?)"
RESULTS_TO_REPLAY = (
    "SELECT r.quiz_id, r.guild_id, r.user_id, r.selected, r.graded_at, q.question_id, q.question_json,"
    " q.option_order FROM results AS r JOIN quizzes AS q ON q.id = r.quiz_id"
    " ORDER BY r.graded_at, r.quiz_id, r.user_id"
)
INSERT_REPLAYED_CARD = f"INSERT INTO memory_cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_REPLAYED_REVIEW = "INSERT INTO memory_reviews VALUES (?, ?, ?, ?, ?)"
INSERT_STALE_RECALL = "INSERT INTO memory_recall VALUES (?, ?, NULL, NULL)"
AFTER_EXPLICIT_IDS: tuple[str, ...] = ()  # an INTEGER PRIMARY KEY always continues after the largest id

# -- quizzes -----------------------------------------------------------------------------------------

CREATE_QUIZ = (
    "INSERT INTO quizzes (guild_id, channel_id, question_id, question_json, scoring, started_by,"
    " started_at, deadline, state, lettered, option_order, answers)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id"
)
ADD_QUESTION_PART = "UPDATE quizzes SET question_parts = json_insert(question_parts, '$[#]', ?) WHERE id = ?"
MARK_OPEN = "UPDATE quizzes SET message_id = ?, state = ? WHERE id = ? AND state = ?"
MARK_LETTERED = "UPDATE quizzes SET lettered = 1 WHERE id = ?"
CANCEL = f"UPDATE quizzes SET state = ?, cancel_reason = ?, closed_at = ? WHERE id = ? AND state IN ({_STATES})"
UNFINISHED_QUIZZES = (  # ?5 shard count (NULL: every server), ?6 the snowflake's shift, ?7 the shards as JSON
    f"SELECT {QUIZ_COLUMNS} FROM quizzes WHERE state IN (?1, ?2, ?3, ?4)"
    " AND (?5 IS NULL OR (guild_id >> ?6) % ?5 IN (SELECT value FROM json_each(?7))) ORDER BY deadline"
)
QUIZ = f"SELECT {QUIZ_COLUMNS} FROM quizzes WHERE id = ?"
LAST_ASKED = "SELECT question_id, MAX(started_at) FROM quizzes WHERE guild_id = ? AND state != ? GROUP BY question_id"

# -- selections --------------------------------------------------------------------------------------

OPEN_AMONG = "SELECT id FROM quizzes WHERE state = ? AND id IN (SELECT value FROM json_each(?))"  # ids: JSON array
ADD_SELECTION = "INSERT OR IGNORE INTO selections VALUES (?, ?, ?)"
REMOVE_SELECTION = "DELETE FROM selections WHERE quiz_id = ? AND user_id = ? AND option = ?"
OPEN_DEADLINES = "SELECT id, deadline FROM quizzes WHERE state = ? AND id IN (SELECT value FROM json_each(?))"
CLEAR_MEMBER_SELECTIONS = "DELETE FROM selections WHERE quiz_id = ? AND user_id = ?"
INSERT_SELECTION = "INSERT INTO selections VALUES (?, ?, ?)"
FREEZE_ANSWERS = "UPDATE quizzes SET state = ?, answers_read_at = ? WHERE id = ? AND state = ?"
CLEAR_SELECTIONS = "DELETE FROM selections WHERE quiz_id = ?"
SELECTIONS = "SELECT user_id, option FROM selections WHERE quiz_id = ?"

# -- grading -----------------------------------------------------------------------------------------

MARK_GRADED = "UPDATE quizzes SET state = ?, closed_at = ? WHERE id = ? AND state = ?"
INSERT_RESULT = (
    "INSERT INTO results (quiz_id, guild_id, user_id, selected, points, exact, graded_at, topic)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
ADD_POINTS = (
    "INSERT INTO points (guild_id, user_id, points, answered, exact) VALUES (?, ?, ?, 1, ?)"
    " ON CONFLICT (guild_id, user_id) DO UPDATE SET points = points + excluded.points,"
    " answered = answered + 1, exact = exact + excluded.exact"
)
INSERT_OPTION_PICKS = "INSERT INTO option_picks VALUES (?, ?, ?)"
CARDS_OF_QUESTION = f"SELECT user_id, {MEMORY_COLUMNS} FROM memory_cards WHERE guild_id = ? AND question_id = ?"
UPSERT_CARD = (
    f"INSERT INTO memory_cards ({_CARD_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (guild_id, user_id, question_id) DO UPDATE SET state = excluded.state,"
    " step = excluded.step, stability = excluded.stability, difficulty = excluded.difficulty,"
    " due = excluded.due, last_review = excluded.last_review, reviews = excluded.reviews"
)
INSERT_REVIEW = (
    "INSERT INTO memory_reviews SELECT id, reviews, ?, ?, ? FROM memory_cards"
    " WHERE guild_id = ? AND user_id = ? AND question_id = ?"
)
MARK_RECALL_STALE = "INSERT INTO memory_recall VALUES (?, ?, NULL, NULL) ON CONFLICT DO UPDATE SET as_of = NULL"
RESULTS = (
    "SELECT r.user_id, r.selected, r.points, r.exact, q.option_order FROM results AS r"
    " JOIN quizzes AS q ON q.id = r.quiz_id WHERE r.quiz_id = ? ORDER BY r.user_id"
)
SET_RESULT_POSTS = "UPDATE quizzes SET result_posts = COALESCE(result_posts, ?) WHERE id = ?"
ADD_RESULT_PART = "UPDATE quizzes SET result_parts = json_insert(result_parts, '$[#]', ?) WHERE id = ?"
MARK_ANNOUNCED = "UPDATE quizzes SET state = ?, problem = ? WHERE id = ? AND state = ?"
PROBLEM = "SELECT COALESCE(problem, cancel_reason) FROM quizzes WHERE id = ?"

# -- leaderboard -------------------------------------------------------------------------------------

LEADERBOARD = (
    "SELECT user_id, points, answered, exact FROM points WHERE guild_id = ? ORDER BY points DESC, user_id LIMIT ?"
)
LEADERBOARD_FOR_PERIOD = (
    f"SELECT user_id, SUM(points) AS total, COUNT(*), SUM(exact) FROM results WHERE guild_id = ?"
    f" AND {_PERIOD} GROUP BY user_id ORDER BY total DESC, user_id LIMIT ?"
)
STANDING = (
    "SELECT points, answered, exact, (SELECT COUNT(*) FROM points AS better"
    " WHERE better.guild_id = me.guild_id AND better.points > me.points)"
    " FROM points AS me WHERE guild_id = ? AND user_id = ?"
)
STANDING_FOR_PERIOD = (
    f"WITH totals AS (SELECT user_id, SUM(points) AS points, COUNT(*) AS answered, SUM(exact) AS exact"
    f" FROM results WHERE guild_id = ? AND {_PERIOD} GROUP BY user_id)"
    " SELECT points, answered, exact,"
    " (SELECT COUNT(*) FROM totals AS better WHERE better.points > me.points)"
    " FROM totals AS me WHERE user_id = ?"
)

# -- seasons -----------------------------------------------------------------------------------------

CURRENT_SEASON = "SELECT COALESCE(MAX(number), 1) FROM seasons WHERE guild_id = ?"
INSERT_SEASON = "INSERT INTO seasons VALUES (?, ?, ?, ?)"
SEASON_STARTS = "SELECT number, started_at FROM seasons WHERE guild_id = ? ORDER BY number"

# -- statistics --------------------------------------------------------------------------------------

MEMBER_HISTORY = "SELECT exact, graded_at FROM results WHERE guild_id = ? AND user_id = ? ORDER BY graded_at, quiz_id"
MEMBER_TOPICS = (
    "SELECT COALESCE(topic, ''), COUNT(*), SUM(exact) FROM results WHERE guild_id = ? AND user_id = ?"
    " GROUP BY topic ORDER BY COUNT(*) DESC, topic"
)
QUESTION_TOTALS = (
    "SELECT s.question_id, s.asked, s.answers, s.exact, latest.question_json, latest.option_order FROM"
    " (SELECT q.question_id, COUNT(DISTINCT q.id) AS asked, COUNT(r.user_id) AS answers,"
    f"  COALESCE(SUM(r.exact), 0) AS exact, ({LATEST_QUIZ.format(table='q')}) AS latest_id"
    "  FROM quizzes AS q LEFT JOIN results AS r ON r.quiz_id = q.id"
    "  WHERE q.guild_id = ? AND q.state IN (?, ?) GROUP BY q.question_id) AS s"
    " JOIN quizzes AS latest ON latest.id = s.latest_id"
)
QUESTION_PICKS = (
    "SELECT q.question_id, o.option, SUM(o.picks) FROM option_picks AS o JOIN quizzes AS q ON q.id = o.quiz_id"
    " WHERE q.guild_id = ? GROUP BY q.question_id, o.option"
)

# -- memory cards ------------------------------------------------------------------------------------

_CARD_WITH_QUESTION = (
    f"SELECT c.id, c.guild_id, c.user_id, {CARD_MEMORY_COLUMNS}, q.question_json, q.option_order"
    f" FROM memory_cards AS c JOIN quizzes AS q ON q.id = ({LATEST_QUIZ.format(table='c')})"
)
DUE_CARD = f"{_CARD_WITH_QUESTION} WHERE c.guild_id = ? AND c.user_id = ? AND c.due <= ? ORDER BY c.due, c.id LIMIT 1"
CARD = f"{_CARD_WITH_QUESTION} WHERE c.id = ?"
CARD_UNCHANGED = "SELECT question_id FROM memory_cards WHERE id = ? AND reviews = ?"
CARD_MEMORY = f"SELECT {MEMORY_COLUMNS} FROM memory_cards WHERE id = ?"
CARD_COUNTS = (  # parameters: at, the review state, at, guild, member
    "SELECT COUNT(*), COALESCE(SUM(due <= ?), 0), COALESCE(SUM(state = ?), 0),"
    " MIN(CASE WHEN due > ? THEN due END) FROM memory_cards WHERE guild_id = ? AND user_id = ?"
)
RECALL_COUNTS = (  # parameters: the lowest rating that recalls, guild, member
    "SELECT COUNT(*), COALESCE(SUM(r.rating >= ?), 0) FROM memory_cards AS c"
    " JOIN memory_reviews AS r ON r.card_id = c.id AND r.number > 1 WHERE c.guild_id = ? AND c.user_id = ?"
)
CHANGED_RECALLS = "SELECT question_id FROM memory_recall WHERE guild_id = ? AND as_of IS NULL"
RECALLS = "SELECT question_id, recall FROM memory_recall WHERE guild_id = ?"
OLD_RECALLS = (
    "SELECT question_id FROM memory_recall WHERE guild_id = ? AND as_of < ? ORDER BY as_of, question_id LIMIT ?"
)
RECOMPUTE_RECALL = (  # parameters: at, factor, at, decay, guild, question, guild, question
    # FSRS counts elapsed whole days: CAST truncates toward zero, as the scheduler does.
    "UPDATE memory_recall SET as_of = ?, recall = (SELECT AVG(pow(1 + ? * max(0,"
    " CAST((? - last_review) / 86400 AS INTEGER)) / stability, ?)) FROM memory_cards"
    " WHERE guild_id = ? AND question_id = ?) WHERE guild_id = ? AND question_id = ?"
)

# -- schedules ---------------------------------------------------------------------------------------

ADD_SCHEDULE = (
    "INSERT INTO schedules (guild_id, channel_id, days, at, zone, topic, duration, created_by,"
    " created_at, pick, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
SCHEDULES = f"SELECT {SCHEDULE_COLUMNS} FROM schedules ORDER BY id"
GUILD_SCHEDULES = f"SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE guild_id = ? ORDER BY id"
REMOVE_SCHEDULE = "DELETE FROM schedules WHERE guild_id = ? AND id = ?"
# Compare-and-set on the value the caller read, never to the same slot again: of two processes that read
# the same value, one wins.
# (Not `last_fired < slot`: after the clock ran ahead, an earlier slot must still be claimable.)
CLAIM_SLOT = "UPDATE schedules SET last_fired = ? WHERE id = ? AND last_fired IS ? AND last_fired IS NOT ?"

# -- copying this database out (`quizbot migrate-db`) ------------------------------------------------

COUNT_ROWS = "SELECT COUNT(*) FROM {table}"  # a table name the target's schema lists, never from input
ALL_ROWS = "SELECT {columns} FROM {table}"
