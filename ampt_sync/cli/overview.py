"""``ampt-sync --help`` (and ``ampt-sync`` alone): the top-level help, in Typer's panels, without
the cost of Typer's help.

The top-level help is the first thing a runner types, and on a Raspberry Pi Typer made it slow:
to print it, Typer builds every command's parameters (evaluating each of their annotations)
and imports its rich formatter, which loads Rich's Markdown and traceback renderers (markdown-it,
Pygments). The top-level help needs none of that: the root's options, and each command's name,
first paragraph and panel. So :func:`print_overview` hands Typer a copy of the app whose commands
are stand-ins without parameters (so names, help texts and panels are resolved by Typer itself),
and draws the same panels as ``typer.rich_utils.rich_format_help`` with Rich's table and panel.
``tests/test_cli_overview.py`` compares the two outputs character for character, in colour and
without, and for a toy app with what ampt-sync does not use yet (emphasis, required options,
hidden and deprecated commands); every other help (``ampt-sync push --help``) is Typer's own,
and so are shell completions. Help text that is more than prose with `code` spans goes to
Rich's Markdown, as in Typer (paying for its import only then). Like Typer's formatter, this
reads an option's default through two private methods of Typer's option class; pyproject.toml
bounds Typer below 0.29, and the comparison tests catch a change. Measured by
``bench/bench_cycle.py``: see docs/performance.md.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console, RenderableType
from rich.highlighter import RegexHighlighter
from rich.text import Text
from rich.theme import Theme

if TYPE_CHECKING:
    from typer.models import CommandInfo, TyperInfo

#: Typer's help styles (typer.rich_utils, which this module does not import: that import is the
#: cost it avoids), for the parts the top-level help uses.
STYLE_OPTION = "bold cyan"
STYLE_SWITCH = "bold green"
STYLE_NEGATIVE_OPTION = "bold magenta"
STYLE_NEGATIVE_SWITCH = "bold red"
STYLE_TYPES = "bold yellow"
STYLE_TYPES_SEPARATOR = "dim"
STYLE_USAGE = "yellow"
STYLE_USAGE_COMMAND = "bold"
STYLE_DEPRECATED = "red"
STYLE_DEPRECATED_COMMAND = "dim"
STYLE_PANEL_BORDER = "dim"
STYLE_COMMANDS_FIRST_COLUMN = "bold cyan"
STYLE_REQUIRED_SHORT = "red"
STYLE_REQUIRED_LONG = "dim red"
STYLE_OPTION_DEFAULT = "dim"
STYLE_OPTION_ENVVAR = "dim yellow"
#: Rich's own style for Markdown's inline code, which Typer's Markdown help text uses.
STYLE_INLINE_CODE = "markdown.code"
OPTIONS_PANEL_TITLE = "Options"
COMMANDS_PANEL_TITLE = "Commands"
DEPRECATED_STRING = "(deprecated) "
REQUIRED_LONG_STRING = "[required]"

#: Help text that is plain prose apart from `inline code`: what this module renders itself.
#: Anything else Markdown or Rich would treat specially (emphasis, links, headings, escapes,
#: HTML, :emoji: codes) goes to Rich's Markdown, as in Typer.
_CODE_SPAN = re.compile(r"`([^`]+)`")
_OTHER_MARKDOWN = re.compile(
    r"[*\[\]<>\\&]|~~|(^|\W)_|_(\W|$)|^\s*(#|>|[-+]\s|\d+[.)]\s)|:\w+:", re.MULTILINE
)


class _OptionHighlighter(RegexHighlighter):
    """Typer's ``OptionHighlighter``."""

    highlights = [  # noqa: RUF012  (Rich's interface)
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class _NegativeOptionHighlighter(RegexHighlighter):
    """Typer's ``NegativeOptionHighlighter``."""

    highlights = [  # noqa: RUF012
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class _TypesHighlighter(RegexHighlighter):
    """Typer's ``TypesHighlighter``."""

    highlights = [  # noqa: RUF012
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


_highlighter = _OptionHighlighter()
_negative_highlighter = _NegativeOptionHighlighter()
_types_highlighter = _TypesHighlighter()


#: Set by the shell when it asks for completions (Click's ``_{PROG}_COMPLETE``): then even
#: ``ampt-sync`` alone is Typer's to answer.
COMPLETE_VAR = "_AMPT_SYNC_COMPLETE"


def wants_overview(args: list[str], environ: Mapping[str, str]) -> bool:
    """True for exactly ``ampt-sync``, ``ampt-sync --help`` and ``ampt-sync -h``, unless the
    shell is completing. Anything more (``-v --help``, a subcommand) goes through Typer, whose
    parsing decides what it means."""
    return args in ([], ["--help"], ["-h"]) and COMPLETE_VAR not in environ


def _stand_in(callback: Callable[..., Any]) -> Callable[[], None]:
    """A callback with the name and docstring of ``callback`` and no parameters."""

    def stand_in() -> None:
        """Never called: only its name and help are read."""

    stand_in.__name__ = callback.__name__
    stand_in.__qualname__ = callback.__qualname__
    stand_in.__doc__ = callback.__doc__
    return stand_in


def _shallow_command(info: CommandInfo) -> CommandInfo:
    shallow = copy.copy(info)
    if info.callback is not None:
        shallow.callback = _stand_in(info.callback)
    return shallow


def _shallow_group(info: TyperInfo) -> TyperInfo:
    shallow = copy.copy(info)
    if info.typer_instance is not None:
        instance = copy.copy(info.typer_instance)
        instance.registered_commands = []
        instance.registered_groups = []
        shallow.typer_instance = instance
    return shallow


def _shallow_group_command(app: typer.Typer) -> Any:
    """The root Click group Typer would build for ``app``, with every subcommand a stand-in
    without parameters (the same name, help, panel, hidden and deprecated flags)."""
    shallow = copy.copy(app)
    shallow.registered_commands = [_shallow_command(info) for info in app.registered_commands]
    shallow.registered_groups = [_shallow_group(info) for info in app.registered_groups]
    return typer.main.get_command(shallow)


def _console() -> Console:
    """Typer's help console: the same theme, highlighter and environment switches."""
    force_terminal = (
        True
        if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS")
        else None
    )
    if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force_terminal = False
    width = os.getenv("TERMINAL_WIDTH")
    return Console(
        theme=Theme(
            {
                "option": STYLE_OPTION,
                "switch": STYLE_SWITCH,
                "negative_option": STYLE_NEGATIVE_OPTION,
                "negative_switch": STYLE_NEGATIVE_SWITCH,
                "types": STYLE_TYPES,
                "types_sep": STYLE_TYPES_SEPARATOR,
                "usage": STYLE_USAGE,
            }
        ),
        highlighter=_highlighter,
        color_system="auto",
        force_terminal=force_terminal,
        width=int(width) if width else None,
    )


def _prose(text: str, style: str = "", *, markdown: bool = False) -> RenderableType:
    """Help text as Typer's Markdown mode shows it: prose with `code` spans is drawn here;
    anything else (or anything, with ``markdown``) is left to Rich's Markdown."""
    text = inspect.cleandoc(text)
    if markdown or "\n\n" in text or _OTHER_MARKDOWN.search(_CODE_SPAN.sub("", text)):
        from rich.emoji import Emoji
        from rich.markdown import Markdown

        return Markdown(Emoji.replace(text), style=style)
    # Markdown joins a paragraph's lines with spaces.
    flat = " ".join(line.strip() for line in text.splitlines())
    out = Text(style=style)
    last = 0
    for match in _CODE_SPAN.finditer(flat):
        out.append(flat[last : match.start()])
        out.append(match.group(1), style=STYLE_INLINE_CODE)
        last = match.end()
    out.append(flat[last:])
    return out


def _option_notes(param: Any, ctx: Any) -> list[RenderableType]:
    """What Typer writes after an option's help: its environment variable, its default and
    ``[required]`` (the same rules, through the same methods of Typer's option class)."""
    notes: list[RenderableType] = []
    envvar = getattr(param, "envvar", None)
    if envvar is None and (
        getattr(param, "allow_from_autoenv", None)
        and getattr(ctx, "auto_envvar_prefix", None) is not None
        and param.name is not None
    ):
        envvar = f"{ctx.auto_envvar_prefix}_{param.name.upper()}"
    if envvar and getattr(param, "show_envvar", None):
        names = envvar if isinstance(envvar, str) else ", ".join(str(name) for name in envvar)
        notes.append(Text(f"[env var: {names}]", style=STYLE_OPTION_ENVVAR))
    if hasattr(param, "_extract_default_help_str"):
        default_value = param._extract_default_help_str(ctx=ctx)
        show_default_is_str = isinstance(param.show_default, str)
        if show_default_is_str or (
            default_value is not None and (param.show_default or ctx.show_default)
        ):
            default = param._get_default_string(
                ctx=ctx, show_default_is_str=show_default_is_str, default_value=default_value
            )
            if default:
                notes.append(Text(f"[default: {default}]", style=STYLE_OPTION_DEFAULT))
    if param.required:
        notes.append(Text(REQUIRED_LONG_STRING, style=STYLE_REQUIRED_LONG))
    return notes


def _options_panel(console: Console, name: str, params: list[Any], ctx: Any) -> None:
    from rich.columns import Columns
    from rich.panel import Panel
    from rich.table import Table

    rows: list[list[RenderableType]] = []
    required_marks: list[str | Text] = []
    for param in params:
        longs = [opt for opt in param.opts if "--" in opt]
        shorts = [opt for opt in param.opts if "--" not in opt]
        secondary_longs = [opt for opt in param.secondary_opts if "--" in opt]
        secondary_shorts = [opt for opt in param.secondary_opts if "--" not in opt]
        metavar = param.make_metavar(ctx=ctx)
        types = Text(style=STYLE_TYPES, overflow="fold")
        if metavar and "bool" not in metavar.lower():
            types.append(metavar)
        notes = _option_notes(param, ctx)
        help_items: list[RenderableType] = []
        if param.help:
            # Alone in its cell, prose is drawn here; beside notes, Rich's Columns lays
            # Markdown out differently from Text, so it is Markdown as in Typer.
            help_items.append(_prose(param.help, markdown=bool(notes)))
        help_items += notes
        required_marks.append(Text("*", style=STYLE_REQUIRED_SHORT) if param.required else "")
        rows.append(
            [
                _highlighter(",".join(longs)),
                _highlighter(",".join(shorts)),
                _negative_highlighter(",".join(secondary_longs)),
                _negative_highlighter(",".join(secondary_shorts)),
                _types_highlighter(types),
                Columns(help_items),
            ]
        )
    if not rows:
        return
    if any(required_marks):
        rows = [[mark, *row] for mark, row in zip(required_marks, rows, strict=True)]
    table = Table(
        highlight=True,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )
    for row in rows:
        table.add_row(*row)
    console.print(Panel(table, border_style=STYLE_PANEL_BORDER, title=name, title_align="left"))


def _commands_panel(console: Console, name: str, commands: list[Any], name_width: int) -> None:
    from rich.panel import Panel
    from rich.table import Table

    table = Table(
        highlight=False,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )
    table.add_column(style=STYLE_COMMANDS_FIRST_COLUMN, no_wrap=True, width=name_width)
    table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    deprecated = any(command.deprecated for command in commands)
    for command in commands:
        first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        row: list[RenderableType | None] = [
            Text(command.name or "", style=STYLE_DEPRECATED_COMMAND if command.deprecated else ""),
            _prose(first.strip()),
        ]
        if deprecated:
            row.append(
                Text(DEPRECATED_STRING, style=STYLE_DEPRECATED) if command.deprecated else None
            )
        table.add_row(*row)
    if table.row_count:
        console.print(
            Panel(table, border_style=STYLE_PANEL_BORDER, title=name, title_align="left")
        )


def print_overview(app: typer.Typer, *, prog_name: str) -> bool:
    """Print the top-level help of ``app`` to stdout as Typer would; False (nothing printed)
    when Typer would not draw panels in Markdown mode (another markup mode, or Rich turned off
    with ``TYPER_USE_RICH=0``): then Typer prints it."""
    if app.rich_markup_mode != "markdown" or not typer.core.HAS_RICH:
        return False
    from rich.align import Align
    from rich.padding import Padding

    group = _shallow_group_command(app)
    ctx = group.make_context(prog_name, [], resilient_parsing=True)
    console = _console()
    console.print(Padding(_highlighter(group.get_usage(ctx)), 1), style=STYLE_USAGE_COMMAND)
    if group.help:
        paragraphs = inspect.cleandoc(group.help).partition("\f")[0].split("\n\n")
        parts: list[RenderableType] = [_prose(paragraphs[0].strip())]
        if group.deprecated:
            parts.insert(0, Text(DEPRECATED_STRING, style=STYLE_DEPRECATED))
        if len(paragraphs) > 1:
            parts += [Text(""), _prose("\n\n".join(paragraphs[1:]), style="dim")]
        from rich.console import Group

        console.print(Padding(Align(Group(*parts), pad=False), (0, 1, 1, 1)))

    panels: defaultdict[str, list[Any]] = defaultdict(list)
    for param in group.get_params(ctx):
        if not getattr(param, "hidden", False):
            panels[getattr(param, "rich_help_panel", None) or OPTIONS_PANEL_TITLE].append(param)
    _options_panel(console, OPTIONS_PANEL_TITLE, panels.pop(OPTIONS_PANEL_TITLE, []), ctx)
    for name, params in panels.items():
        _options_panel(console, name, params, ctx)

    by_panel: defaultdict[str, list[Any]] = defaultdict(list)
    for command_name in group.list_commands(ctx):
        command = group.get_command(ctx, command_name)
        if command is not None and not command.hidden:
            by_panel[getattr(command, "rich_help_panel", None) or COMMANDS_PANEL_TITLE].append(
                command
            )
    name_width = max(
        (len(command.name or "") for commands in by_panel.values() for command in commands),
        default=0,
    )
    default_commands = by_panel.pop(COMMANDS_PANEL_TITLE, [])
    _commands_panel(console, COMMANDS_PANEL_TITLE, default_commands, name_width)
    for name, commands in by_panel.items():
        _commands_panel(console, name, commands, name_width)
    return True
