"""The discord.py client: intents, start-up work, command sync, and the one error handler."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.bank import QuestionBank
from bot.cogs.answers import Answers
from bot.cogs.private_menu import AnswerMenu
from bot.cogs.quiz_commands import QuizCommands
from bot.cogs.replies import reply
from bot.cogs.review_drill import DRILL_ITEMS, ReviewDrill
from bot.cogs.schedule_commands import ScheduleCommands
from bot.cogs.stats_commands import StatsCommands
from bot.config import Config, DiscordConfig
from bot.quiz import Clock, QuizError, Quizmaster
from bot.retry import DEFAULT_BACKOFF, Backoff
from bot.schedule import ScheduleError
from bot.scheduler import Scheduler
from bot.shards import Shards
from bot.store import Store, StoreError

log = logging.getLogger(__name__)

REACTION_EVENTS = frozenset({"raw_reaction_add", "raw_reaction_remove"})
CONNECTION_EVENTS = frozenset({"shard_connect", "shard_resumed"})
SHUTDOWN_WAIT_SECONDS = 5.0
# discord.py lifts aiohttp's limit and opens a connection for every request in flight: a thousand
# members answering at once would mean a thousand TLS handshakes (the bot's busiest CPU work in such
# a burst, see BENCHMARKS.md). With aiohttp's own default, a reply past it waits for one of the
# connections to come free, one round trip, well inside Discord's 3 seconds.
REST_CONNECTIONS = 100


def use_endpoints(config: DiscordConfig) -> None:
    """Point discord.py at the configured REST base and gateway (a proxy, or the test server)."""
    discord.http.Route.BASE = config.api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def intents() -> discord.Intents:
    # Guilds for channels and roles, reactions for answers, messages only for deletions:
    # none of these is privileged, so the bot needs no special approval from Discord.
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_reactions = True
    chosen.guild_messages = True
    return chosen


class QuizTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Every command failure becomes a short private message; only surprises are logged."""
        cause = getattr(error, "original", error)
        if isinstance(cause, QuizError | ScheduleError):
            text = str(cause)
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = "This command works in a server channel, not in direct messages."
        elif isinstance(cause, StoreError):
            log.warning("command /%s: database: %s", interaction.command and interaction.command.name, cause)
            text = "The database is busy or full right now, so nothing was done; please try again in a moment."
        elif isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            # Discord's copy of the commands is older than the bot's (a restart changed them).
            text = "This command has changed since Discord loaded it: reload Discord (Ctrl+R), then try again."
        elif isinstance(cause, discord.Forbidden):
            text = f"Discord refused: {cause.text}. Check the bot's permissions in this channel."
        else:
            log.error("command /%s failed", interaction.command and interaction.command.name, exc_info=cause)
            text = "Something went wrong on my side; it has been logged. Please try again."
        try:
            await reply(interaction, text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell %s about a failed command", interaction.user.id)


class QuizBot(commands.AutoShardedBot):
    """discord.py launches the configured shards (or as many as Discord recommends) in this process."""

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        bank: QuestionBank,
        clock: Clock,
        rng: random.Random | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        **options,
    ) -> None:
        shards = Shards(config.discord.shard_count, config.discord.shard_ids)
        super().__init__(
            shard_count=shards.count,
            shard_ids=None if shards.ids is None else list(shards.ids),
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # nothing the bot sends may ping anyone
            tree_cls=QuizTree,
            help_command=None,
            connector=aiohttp.TCPConnector(limit=REST_CONNECTIONS),
            **options,
        )
        self.config = config
        self.store = store
        self.bank = bank
        self.clock = clock
        self.rng = rng or random.Random()
        self.own_shards = shards
        self.quizmaster = Quizmaster(self, store, config.quiz, clock, self.rng, backoff, self._fail, shards)
        self.scheduler = Scheduler(self, store, self.quizmaster, lambda: self.bank, config.quiz, clock, backoff, shards)
        self._scheduling: asyncio.Task | None = None
        self.failure: BaseException | None = None  # why the bot stopped itself, if it did
        self._stopping: asyncio.Future | None = None

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        # Reactions come by the thousand: recording each as its event is parsed costs less than a
        # listener task per reaction (see BENCHMARKS.md, reaction CPU). Connection changes are noted
        # here too, so each falls exactly between the events before and after it.
        try:
            if event_name in REACTION_EVENTS:
                self.quizmaster.on_reaction(*args)
            elif event_name == "shard_disconnect":
                self.quizmaster.on_disconnect(*args)
            elif event_name in CONNECTION_EVENTS:
                self.quizmaster.on_connect(*args, fresh=event_name == "shard_connect")
        except Exception:
            log.exception("could not record %s", event_name)
        super().dispatch(event_name, *args, **kwargs)

    async def setup_hook(self) -> None:
        await self.add_cog(QuizCommands(self))
        await self.add_cog(Answers(self))
        await self.add_cog(ScheduleCommands(self))
        await self.add_cog(StatsCommands(self))
        await self.add_cog(ReviewDrill(self))
        self.add_dynamic_items(*DRILL_ITEMS)  # drills shown before a restart keep working
        self.add_dynamic_items(AnswerMenu)  # so do private quizzes' answer menus
        await self._sync_commands()
        await self.quizmaster.recover()
        self._scheduling = asyncio.create_task(self._schedule())

    async def launch_shard(self, gateway: yarl.URL, shard_id: int, *, initial: bool = False) -> None:
        # discord.py 2.7 retries a shard's failed first connection every 5 s, forever, even once the
        # bot is closed: without this a stop while the gateway is unreachable would never finish.
        if not self.is_closed():
            await super().launch_shard(gateway, shard_id, initial=initial)

    async def _schedule(self) -> None:
        await self.wait_until_ready()  # schedules post into channels the cache must know
        await self.scheduler.run()

    async def _sync_commands(self) -> None:
        if not self.own_shards.syncs_commands:
            log.info("commands are synced by the process that runs shard 0")
            return
        guild_id = self.config.discord.dev_guild_id
        if guild_id is None:
            synced = await self.tree.sync()
        else:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands %s", len(synced), f"to guild {guild_id}" if guild_id else "globally")

    def _fail(self, error: BaseException) -> None:
        """Something the bot cannot work around (its database file is gone): stop, and say why."""
        self.failure = error
        self._stopping = asyncio.ensure_future(self.close())

    async def close(self) -> None:
        # Never raises: whatever failed, pending picks are written and the gateway is closed.
        if self._scheduling is not None:
            self._scheduling.cancel()
            # Bounded: a stop must never hang on a task that does not end (its errors were logged already).
            await asyncio.wait({self._scheduling}, timeout=SHUTDOWN_WAIT_SECONDS)
        try:
            await self.quizmaster.shutdown()
        except Exception:
            log.exception("shutting the quizzes down failed")
        await super().close()
