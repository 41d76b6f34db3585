"""The loopback Discord's message components: Discord's limits, clicks and selects from the real
discord.py client, update (7) and deferred-update (6) responses, and the 3-second acknowledgement."""

# ruff: noqa: F811  (the fixtures shared with test_fakediscord are imported, then named as parameters)
from __future__ import annotations

import asyncio

import discord
import pytest
from discord.ext import commands
from fakediscord import FakeDiscord
from fakediscord.components import ComponentError
from test_fakediscord import BASE_INTENTS, ClientFactory, World, _text_channel, run_client, server, world  # noqa: F401


def button(custom_id: str) -> dict:
    return {"type": 2, "style": 1, "label": "x", "custom_id": custom_id}


def select(options: int = 1, value: str = "v", **more: object) -> dict:
    return {
        "type": 3,
        "custom_id": "s",
        "options": [{"label": "a", "value": f"{value}{n}"} for n in range(options)],
    } | more


def row(*children: dict) -> dict:
    return {"type": 1, "components": list(children)}


class Drill(discord.ui.View):
    """A select of three options and a button; what each callback does is the test's choice."""

    def __init__(self, on_pick=None, on_press=None) -> None:
        super().__init__(timeout=None)
        self.on_pick, self.on_press = on_pick, on_press
        self.picked: list[str] = []
        self.pick = discord.ui.Select(
            custom_id="pick", min_values=1, max_values=2, options=[discord.SelectOption(label=x) for x in "abc"]
        )
        self.pick.callback = self._picked
        self.add_item(self.pick)
        self.press = discord.ui.Button(label="Submit", custom_id="submit")
        self.press.callback = self._pressed
        self.add_item(self.press)

    async def _picked(self, interaction: discord.Interaction) -> None:
        self.picked = list(self.pick.values)
        await self.on_pick(interaction)

    async def _pressed(self, interaction: discord.Interaction) -> None:
        await self.on_press(interaction)


async def test_a_select_updates_its_message_and_a_button_replies_privately(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()

    async def picked(interaction: discord.Interaction) -> None:
        view.press.label = f"Submit {' '.join(view.picked)}"
        await interaction.response.edit_message(content="picked", view=view)

    async def pressed(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"{interaction.user.name} pressed", ephemeral=True)

    view = Drill(picked, pressed)
    sent = await _text_channel(client, world).send("choose", view=view)
    message = server.message(sent.id)
    assert [c["custom_id"] for row in message.components for c in row["components"]] == ["pick", "submit"]

    chosen = await server.select(world.alice, message, "pick", ["a", "c"])
    assert (await chosen.wait_response()).type == 7
    assert view.picked == ["a", "c"]
    assert message.content == "picked" and message.components[1]["components"][0]["label"] == "Submit a c"

    pressed_ix = await server.click(world.bob, message, "submit")
    assert (await pressed_ix.wait_response()).type == 4
    assert pressed_ix.ephemeral and pressed_ix.content == "bob pressed"
    assert [m.content for m in server.messages(world.channel)] == ["picked"]  # the reply is not in the channel


async def test_an_ephemeral_message_is_updated_in_place_and_stays_private(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    bot = commands.Bot(command_prefix="!", intents=BASE_INTENTS, guild_ready_timeout=0.1)

    async def pressed(interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # 6: the update follows through @original
        await interaction.edit_original_response(content="answered", view=None)

    @bot.tree.command(name="drill", description="A private drill")
    async def drill(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("question", view=Drill(on_press=pressed), ephemeral=True)

    await run_client(bot)
    await bot.tree.sync()
    ix = await server.invoke(world.alice, world.channel, "drill")
    await ix.wait_response()
    press = await server.click(world.alice, ix.original, "submit")
    assert (await press.wait_response()).type == 6
    await server.wait_for(lambda: ix.original.content == "answered", description="the edit through @original")
    assert ix.original.ephemeral and ix.original.components == []
    assert server.messages(world.channel) == []


@pytest.mark.parametrize(
    ("components", "path"),
    [
        ([row(button(f"b{n}")) for n in range(6)], "components"),
        ([row(button("b" * 101))], "components.0.components.0.custom_id"),
        ([row(select(26))], "components.0.components.0"),  # the spec check refuses it first, at the select
        ([row(select(1, "v" * 100))], "components.0.components.0.options.0.value"),
        ([row(select(1, max_values=3))], "components.0.components.0.max_values"),
        ([row(select(3, max_values=26))], "components.0.components.0.max_values"),
        ([row(select(1), button("b"))], "components.0.components"),
        ([row(button("same")), row(button("same"))], "components.1.components.0.custom_id"),
    ],
)
async def test_components_over_discords_limits_are_refused(
    server: FakeDiscord, world: World, run_client: ClientFactory, components: list, path: str
) -> None:
    client = await run_client()
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=world.channel.id)
    with pytest.raises(discord.HTTPException) as refused:
        await client.http.request(route, json={"content": "x", "components": components})
    assert refused.value.status == 400 and refused.value.code == 50035
    assert path in str(refused.value)
    assert server.messages(world.channel) == []


async def test_a_user_can_only_do_what_the_client_offers(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()
    view = Drill()
    view.press.disabled = True
    message = server.message((await _text_channel(client, world).send("choose", view=view)).id)
    for attempt in (
        server.click(world.alice, message, "submit"),  # disabled
        server.click(world.alice, message, "pick"),  # a select, not a button
        server.click(world.alice, message, "nothing"),
        server.select(world.alice, message, "pick", ["d"]),  # not an option
        server.select(world.alice, message, "pick", []),  # under min_values
        server.select(world.alice, message, "pick", ["a", "b", "c"]),  # over max_values
    ):
        with pytest.raises(ComponentError):
            await attempt


async def test_a_click_answered_after_three_seconds_is_an_unknown_interaction(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()
    late = asyncio.Event()
    refused: list[discord.HTTPException] = []

    async def pressed(interaction: discord.Interaction) -> None:
        await late.wait()
        try:
            await interaction.response.send_message("too late")
        except discord.HTTPException as error:
            refused.append(error)

    message = server.message((await _text_channel(client, world).send("go", view=Drill(on_press=pressed))).id)
    press = await server.click(world.alice, message, "submit")
    press.created_at -= 3.01  # as if the bot had spent just over Discord's 3 s
    late.set()
    await server.wait_for(lambda: refused, description="the late response refused")
    assert refused[0].status == 404 and refused[0].code == 10062
    assert press.response is None
