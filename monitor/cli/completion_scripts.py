"""The bash, zsh and fish scripts of ``monitor completion``, written from command specs."""

from __future__ import annotations

from collections.abc import Callable

from monitor.cli.completion import Option, Spec

# --- bash ---------------------------------------------------------------------

BASH_HEAD = r"""# bash completion for monitor. Load it with: eval "$(monitor completion bash)"
# or save it: monitor completion bash > ~/.local/share/bash-completion/completions/monitor
_monitor_ids() {
    local i config=()
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        [[ ${COMP_WORDS[i]} == --config ]] && config=(--config "${COMP_WORDS[i+1]}")
    done
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" completion --ids "${config[@]}" \
        2>/dev/null)" -- "$cur"))
}
_monitor_files() {
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
}
_monitor() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local i command="" positionals=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            %(value_options)s) ((i++)) ;;
            -*) ;;
            *) if [[ -z $command ]]; then command=${COMP_WORDS[i]}; else ((positionals++)); fi ;;
        esac
    done
    case $command in
"""

BASH_TAIL = """    esac
}
complete -F _monitor monitor
"""


def _bash_values(option: Option) -> str:
    if option.takes == "file":
        return "_monitor_files"
    if option.takes == "id":
        return "_monitor_ids"
    if option.takes == "choice":
        return f'COMPREPLY=($(compgen -W "{" ".join(option.choices)}" -- "$cur"))'
    return ""


def _bash_command(spec: Spec, names: list[str]) -> list[str]:
    lines = [f"        {spec.name or chr(34) * 2})", "            case $prev in"]
    for option in spec.options:
        if option.takes:
            values = _bash_values(option)
            lines.append(f"                {'|'.join(option.flags)}) "
                         f"{values + '; ' if values else ''}return ;;")
    lines.append("            esac")
    first = _bash_values(spec.positional) if spec.positional is not None else ""
    if not spec.name:
        first = f'COMPREPLY=($(compgen -W "{" ".join(names)}" -- "$cur"))'
    if first:
        lines.append("            [[ $cur != -* && $positionals -eq 0 ]] && "
                     f"{{ {first}; return; }}")
    words = " ".join(flag for option in spec.options for flag in option.flags)
    lines += [f'            COMPREPLY=($(compgen -W "{words}" -- "$cur"))', "            ;;"]
    return lines


def bash(specs: list[Spec]) -> str:
    names = [spec.name for spec in specs if spec.name]
    value_options = sorted({flag for spec in specs for option in spec.options if option.takes
                            for flag in option.flags})
    lines = [BASH_HEAD.replace("%(value_options)s", "|".join(value_options)).rstrip("\n")]
    for spec in specs:
        lines += _bash_command(spec, names)
    return "\n".join(lines) + "\n" + BASH_TAIL


# --- zsh ----------------------------------------------------------------------

ZSH_HEAD = r"""#compdef monitor
# zsh completion for monitor. Save it as _monitor in a folder on $fpath:
#   monitor completion zsh > ~/.zfunc/_monitor   (with fpath+=~/.zfunc before compinit)
# or, after compinit: eval "$(monitor completion zsh)"
_monitor_ids() {
  local -a ids
  ids=(${(f)"$($_monitor_prog completion --ids $_monitor_config 2>/dev/null)"})
  _describe -t source-ids 'source id' ids
}
_monitor() {
  local curcontext=$curcontext state line ret=1 i
  typeset -g _monitor_prog=$words[1]
  typeset -ga _monitor_config
  _monitor_config=()
  for ((i = 2; i < CURRENT; i++)); do
    [[ $words[i] == --config ]] && _monitor_config=(--config $words[i+1])
  done
  local -a commands
  commands=(
"""


def _zsh_text(text: str, *, name: bool = False) -> str:
    """Text inside a single-quoted _arguments spec or _describe entry: brackets end an
    explanation, and a colon ends a _describe name (not its description)."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    if name:
        text = text.replace(":", "\\:")
    return text.replace("'", "'\\''")


def _zsh_action(option: Option) -> str:
    what = {"file": "file:_files", "id": "source id:_monitor_ids",
            "choice": f"value:({' '.join(option.choices)})", "value": "value: "}
    return f":{what[option.takes]}" if option.takes else ""


def _zsh_option(option: Option) -> str:
    described = f"[{_zsh_text(option.help)}]{_zsh_action(option)}"
    if len(option.flags) == 1:
        return f"'{option.flags[0]}{described}'"
    return f"'({' '.join(option.flags)})'{{{','.join(option.flags)}}}'{described}'"


def _zsh_arguments(spec: Spec, indent: str, tail: list[str]) -> list[str]:
    specs = [_zsh_option(option) for option in spec.options]
    if spec.positional is not None and spec.name:
        specs.append(f"'1{_zsh_action(spec.positional) or ':value: '}'")
    specs += tail
    return [f"{indent}_arguments -C \\"] + [f"{indent}  {s} \\" for s in specs[:-1]] + \
        [f"{indent}  {specs[-1]} && ret=0"]


def zsh(specs: list[Spec]) -> str:
    lines = [ZSH_HEAD.rstrip("\n")]
    lines += [f"    '{_zsh_text(spec.name, name=True)}:{_zsh_text(spec.help)}'" for spec in specs
              if spec.name]
    lines.append("  )")
    lines += _zsh_arguments(specs[0], "  ", ["'1:command:->command'", "'*::argument:->argument'"])
    lines += ["  case $state in",
              "    command) _describe -t commands 'monitor command' commands && ret=0 ;;",
              "    argument)",
              "      curcontext=${curcontext%:*:*}:monitor-$words[1]:",
              "      case $words[1] in"]
    for spec in specs[1:]:
        lines.append(f"        {spec.name})")
        lines += _zsh_arguments(spec, "          ", [])
        lines.append("          ;;")
    lines += ["      esac ;;", "  esac", "  return ret", "}",
              'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then',
              '  _monitor "$@"', "else", "  compdef _monitor monitor", "fi"]
    return "\n".join(lines) + "\n"


# --- fish ---------------------------------------------------------------------

FISH_HEAD = r"""# fish completion for monitor. Save it:
#   monitor completion fish > ~/.config/fish/completions/monitor.fish
function __monitor_ids
    set -l tokens (commandline -opc)
    set -l config
    if set -l i (contains -i -- --config $tokens); and test (count $tokens) -gt $i
        set config --config $tokens[(math $i + 1)]
    end
    $tokens[1] completion --ids $config 2>/dev/null
end
complete -c monitor -f
"""


def _fish_text(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_values(option: Option) -> str:
    if option.takes == "file":
        return " -r -F"
    if option.takes == "id":
        return " -x -a '(__monitor_ids)'"
    if option.takes == "choice":
        return f" -x -a {_fish_text(' '.join(option.choices))}"
    return " -x" if option.takes else ""


def _fish_option(condition: str, option: Option) -> str:
    flags = "".join(f" -s {flag[1:]}" if not flag.startswith("--") else f" -l {flag[2:]}"
                    for flag in option.flags)
    return f"complete -c monitor -n {condition}{flags}{_fish_values(option)} " \
           f"-d {_fish_text(option.help)}"


POSITIONAL = {"id": "source id", "file": "file", "choice": ""}


def fish(specs: list[Spec]) -> str:
    lines = [FISH_HEAD.rstrip("\n")]
    top = "__fish_use_subcommand"
    lines += [_fish_option(top, option) for option in specs[0].options]
    for spec in specs[1:]:
        lines.append(f"complete -c monitor -n {top} -a {spec.name} -d {_fish_text(spec.help)}")
    for spec in specs[1:]:
        condition = _fish_text(f"__fish_seen_subcommand_from {spec.name}")
        lines += [_fish_option(condition, option) for option in spec.options]
        positional = spec.positional
        if positional is not None and positional.takes in ("id", "choice", "file"):
            values = _fish_values(positional).replace(" -x", "").replace(" -r", "")
            lines.append(f"complete -c monitor -n {condition}{values} "
                         f"-d {_fish_text(positional.help or POSITIONAL[positional.takes])}")
    return "\n".join(lines) + "\n"


SCRIPTS: dict[str, Callable[[list[Spec]], str]] = {"bash": bash, "zsh": zsh, "fish": fish}
