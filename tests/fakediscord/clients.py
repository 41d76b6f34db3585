"""Starting a discord.py client against the server, waiting until it is ready, and watching its events."""

from __future__ import annotations

import asyncio
import contextlib

import discord


async def wait_ready(client: discord.Client, task: asyncio.Task[None], timeout: float = 10.0) -> None:
    """Return once `client` (started as `task`) is ready; if it died instead, raise its error."""
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready in done:
        return
    ready.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ready
    if task in done:
        task.result()
    raise TimeoutError("the client did not become ready")


def record_events(client: discord.Client, event: str) -> list[object]:
    """Collect the payloads of one client event (e.g. ``"raw_reaction_add"``), in arrival order."""
    received: list[object] = []

    async def listener(payload: object) -> None:
        received.append(payload)

    listener.__name__ = f"on_{event}"
    client.event(listener)
    return received
