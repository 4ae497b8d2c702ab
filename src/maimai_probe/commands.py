"""The app's commands, each imported when it runs or a help text lists it, not with the app.

The commands import the importer, the parsers and the catalog sync; a web request needs none
of them, and a serverless cold start would pay for them all.
"""

import importlib
from typing import Any, Dict, List, Optional

import click
from flask import Flask
from flask.cli import AppGroup

#: Each command's name and where it is defined, as "module:attribute".
COMMANDS = {
    "players": "maimai_probe.importing.cli:players_commands",
    "import": "maimai_probe.importing.cli:import_command",
    "export": "maimai_probe.importing.cli:export_command",
    "songs": "maimai_probe.catalog.cli:songs_commands",
    "jackets": "maimai_probe.jackets.cli:jackets_commands",
    "seed-demo": "maimai_probe.demo_data:seed_demo_command",
    "write-routes": "maimai_probe.blueprints:write_routes_command",
}  # type: Dict[str, str]


class LazyCommands(AppGroup):
    """The app's command group: the commands of COMMANDS are imported on first use."""

    def __init__(self, group: AppGroup, lazy: Dict[str, str]) -> None:
        super().__init__(group.name, help=group.help)
        self.commands.update(group.commands)
        self.lazy = dict(lazy)

    def get_command(self, ctx: click.Context, name: str) -> Optional[click.Command]:
        """Return a command, importing its module the first time it is asked for."""
        target = self.lazy.pop(name, None)
        if target is not None:
            module, attribute = target.split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> List[str]:
        """Return every command's name, imported or not."""
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))


def init_app(app: Flask, lazy: Any = None) -> None:
    """Give the app a command group that imports its commands on first use."""
    app.cli = LazyCommands(app.cli, COMMANDS if lazy is None else lazy)
