"""The bot as its own OS process (`python -m bot run --config …`) against the loopback Discord.

For what one process in the test's own event loop cannot show: several bot processes at once, one
killed with SIGKILL (no clean-up runs, no pending write is flushed) and started again. Each process
gets its own config file and its own log file; the loopback Discord stays in the test's loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fakediscord import FakeDiscord
from harness import SHIPPED_QUESTIONS

START_SECONDS = 30.0  # loading the shipped bank and connecting, on a busy two-CPU machine


@dataclass
class BotProcess:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class ProcessRunner:
    """Starts, kills and stops bot processes that share ``database`` (the `database:` settings)."""

    def __init__(
        self,
        server: FakeDiscord,
        folder: Path,
        database: Mapping[str, object],
        questions: Path = SHIPPED_QUESTIONS,
        **quiz_config: object,
    ) -> None:
        self.server = server
        self.folder = folder
        self.database = dict(database)
        self.questions = questions
        self.quiz_config = {"shuffle_options": False, **quiz_config}  # tests name options by the file's letters
        self._running: list[BotProcess] = []

    def write_config(self, name: str, **discord_config: object) -> Path:
        """`name`.yaml for one process; ``discord_config`` adds `discord:` settings (shard_count, shard_ids)."""
        config = {
            "discord": {"api_base_url": self.server.api_base, "gateway_url": self.server.gateway_url, **discord_config},
            "database": self.database,
            "questions": {"path": str(self.questions)},
            "quiz": self.quiz_config,
        }
        path = self.folder / f"{name}.yaml"
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")  # JSON is YAML
        return path

    async def start(self, name: str, shards: Iterable[int], **discord_config: object) -> BotProcess:
        """Launch a process and return once it has identified on each of ``shards`` and the session is live."""
        earlier = len(self.server.identified_shards)  # a killed process's session may look live a moment longer
        bot = await self._launch(name, discord_config)
        process = bot.process
        wanted = set(shards)

        def up() -> bool:
            if process.returncode is not None:
                raise AssertionError(f"bot process {name} exited with {process.returncode}:\n{bot.output()}")
            identified = {shard[0] if shard else 0 for shard in self.server.identified_shards[earlier:]}
            return wanted <= identified and wanted <= self.server.connected_shards

        await self.server.wait_for(up, START_SECONDS, description=f"bot process {name} on shards {sorted(wanted)}")
        return bot

    async def until_exit(self, name: str, **discord_config: object) -> tuple[int, str]:
        """Launch a process that is expected to stop by itself; its exit code and output."""
        bot = await self._launch(name, discord_config)
        try:
            code = await asyncio.wait_for(bot.process.wait(), START_SECONDS)
        except TimeoutError:
            raise AssertionError(f"bot process {name} kept running:\n{bot.output()}") from None
        self._running.remove(bot)
        return code, bot.output()

    async def _launch(self, name: str, discord_config: dict[str, object]) -> BotProcess:
        config = self.write_config(name, **discord_config)
        log = self.folder / f"{name}.log"
        with log.open("ab") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config),
                env={**os.environ, "DISCORD_TOKEN": "test-token"},
                stdout=sink, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        bot = BotProcess(name, process, log)
        self._running.append(bot)
        return bot

    async def kill(self, bot: BotProcess) -> None:
        """SIGKILL: the process ends at once, as in a crash or an out-of-memory kill."""
        bot.process.send_signal(signal.SIGKILL)
        await bot.process.wait()
        self._running.remove(bot)

    async def stop(self, bot: BotProcess) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        bot.process.send_signal(signal.SIGTERM)
        self._running.remove(bot)
        try:
            return await asyncio.wait_for(bot.process.wait(), START_SECONDS)
        except TimeoutError:
            bot.process.kill()
            await bot.process.wait()
            raise AssertionError(f"bot process {bot.name} ignored SIGTERM:\n{bot.output()}") from None

    async def stop_all(self) -> None:
        for bot in list(self._running):
            if bot.process.returncode is None:
                await self.stop(bot)
            else:
                self._running.remove(bot)
