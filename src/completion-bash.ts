/**
 * ndcli's bash completion, written by the postrun hook (src/hooks/postrun.ts) over the one
 * @oclif/plugin-autocomplete writes, whose bash script (4.x) completes commands and the first
 * flag only, no values. This one is built from the commands' own definitions (the manifests of
 * the shell and of every plugin, installed ones included): topics and commands, every flag, the
 * values of a flag with `options` (`--scope RW|RO`, `-f table|json|…`) and of an argument with
 * `options` (`config get <key>`). Imported on demand by that hook only.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {Command, Interfaces} from '@oclif/core'

/** A word bash may hold unquoted in a list: ids, flag names and values outside this set are left out rather than escaped. */
const PLAIN_WORD = /^[\w.,:@/+-]+$/

/**
 * One command's completion words: `--long`, `--no-long` or `-c` for a boolean flag, `--long=` for one that
 * takes any value, `--long=A|B` for one with a fixed set, `@N=A|B` for the values of its N-th
 * argument.
 */
export function completionWords(command: Command.Loadable): string[] {
  const words: string[] = []
  for (const flag of Object.values(command.flags)) {
    if (flag.hidden) continue
    const value = flag.type === 'option' ? `=${plainList(flag.options)}` : ''
    const names = [`--${flag.name}`, ...(flag.aliases ?? []).map((alias) => `--${alias}`)]
    if (flag.type === 'boolean' && flag.allowNo) names.push(`--no-${flag.name}`)
    if (flag.char) names.push(`-${flag.char}`)
    for (const char of flag.charAliases ?? []) names.push(`-${char}`)
    for (const name of names) if (PLAIN_WORD.test(name)) words.push(name + value)
  }
  Object.values(command.args ?? {}).forEach((arg, index) => {
    if (arg.options?.length) words.push(`@${index + 1}=${plainList(arg.options)}`)
  })
  return words
}

function plainList(values: readonly string[] | undefined): string {
  return (values ?? []).filter((value) => PLAIN_WORD.test(value)).join('|')
}

/**
 * The visible commands by id (aliases included) of the plugins loaded now. Read from the plugins
 * rather than config.commands, which oclif indexes once a run begins: a plugin that `plugins
 * install` has just added, or `plugins uninstall` removed, is not in it yet (or still is).
 */
function visibleCommands(config: Interfaces.Config): Map<string, Command.Loadable> {
  const commands = new Map<string, Command.Loadable>()
  for (const plugin of config.getPluginsList()) {
    for (const command of plugin.commands) {
      if (command.hidden) continue
      // The first plugin listed with an id keeps it: the shell, its core plugins, then installed ones, as oclif prefers.
      for (const id of [command.id, ...command.aliases]) if (!commands.has(id) && PLAIN_WORD.test(id)) commands.set(id, command)
    }
  }
  return commands
}

/** The bash completion script for the CLI as `config` knows it (every plugin loaded). */
export function bashCompletion(config: Interfaces.Config): string {
  const fn = `_${config.bin.replaceAll(/\W/g, '_')}`
  const commands = visibleCommands(config)
  const cases = [...commands].map(([id, command]) => `    '${id}') ${fn}_spec='${completionWords(command).join(' ')}' ;;`)
  const bins = [config.bin, ...(config.binAliases ?? [])].filter((bin) => PLAIN_WORD.test(bin))
  return `#!/usr/bin/env bash
# ${config.bin}'s bash completion, generated from its commands' flag and argument definitions by
# '${config.bin} autocomplete' and again whenever a plugin is installed or uninstalled.

${fn}_commands='${[...commands.keys()].join(' ')}'

# The words of command $1 (colon-separated id) into ${fn}_spec: "--flag" (boolean), "--flag="
# (takes a value), "--flag=A|B" (one of A, B), "@N=A|B" (its N-th argument, one of A, B).
${fn}_words() {
  case $1 in
${cases.join('\n')}
    *) ${fn}_spec='' ;;
  esac
}

# Sets ${fn}_found to the word of command $1 for the flag or "@N" $2; fails when it has none.
${fn}_find() {
  local entry
  ${fn}_found=''
  ${fn}_words "$1"
  for entry in $${fn}_spec; do
    if [[ $entry == "$2" || $entry == "$2="* ]]; then
      ${fn}_found=$entry
      return 0
    fi
  done
  return 1
}

# Whether $1 (colon-separated) is a command or a topic.
${fn}_known() {
  local id
  for id in $${fn}_commands; do
    [[ $id == "$1" || $id == "$1:"* ]] && return 0
  done
  return 1
}

# Completes $cur from the "|"-separated values $1; a flag or argument that takes any value gets file names.
# Values typed in lower case (--scope rw is accepted) match the upper-case ones when nothing matches as typed.
${fn}_values() {
  if [[ -z $1 ]]; then
    compopt -o default 2>/dev/null
    return 0
  fi
  COMPREPLY=($(compgen -W "\${1//|/ }" -- "$cur"))
  ((\${#COMPREPLY[@]} > 0)) || [[ -z $cur ]] || COMPREPLY=($(compgen -W "\${1//|/ }" -- "$(printf %s "$cur" | tr '[:lower:]' '[:upper:]')"))
}

${fn}_autocomplete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} id='' word prefix candidates='' next i arguments=0 IFS=$' \\t\\n'
  local ${fn}_spec ${fn}_found
  COMPREPLY=()
  # Right after "--flag=" the word is "=" itself; readline completes the text after it, i.e. nothing yet.
  [[ $cur == = ]] && cur=''

  # The command is the run of words after the binary that names one (or a topic); flags, their
  # values and the arguments follow it. A flag that takes a value consumes the next word
  # ("--flag=value" comes as "--flag" "=" "value": bash breaks words at "=").
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ $word == -* ]]; then
      if ${fn}_find "$id" "$word" && [[ $${fn}_found == *=* ]]; then
        ((i++))
        [[ \${COMP_WORDS[i]} == = ]] && ((i++))
      fi
    elif ((arguments == 0)) && ${fn}_known "\${id:+$id:}$word"; then
      id=\${id:+$id:}$word
    else
      ((arguments++))
    fi
  done

  # The value of the flag before the cursor.
  word=\${COMP_WORDS[COMP_CWORD - 1]}
  [[ $word == = ]] && word=\${COMP_WORDS[COMP_CWORD - 2]}
  if ((COMP_CWORD > 1)) && [[ $word == -* ]] && ${fn}_find "$id" "$word" && [[ $${fn}_found == *=* ]]; then
    ${fn}_values "\${${fn}_found#*=}"
    return 0
  fi

  # A flag of the command.
  if [[ $cur == -* ]]; then
    ${fn}_words "$id"
    for word in $${fn}_spec; do
      [[ $word == -* ]] && candidates+=" \${word%%=*}"
    done
    COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
    return 0
  fi

  # The next word of a topic or command, and the values of the command's next argument.
  if ((arguments == 0)); then
    prefix=\${id:+$id:}
    for word in $${fn}_commands; do
      [[ $word == "$prefix"?* ]] || continue
      next=\${word#"$prefix"}
      next=\${next%%:*}
      [[ " $candidates " == *" $next "* ]] || candidates+=" $next"
    done
  fi
  if [[ -n $id ]] && ${fn}_find "$id" "@$((arguments + 1))"; then
    candidates+=" \${${fn}_found#*=}"
    candidates=\${candidates//|/ }
  elif [[ -z $candidates ]]; then
    ${fn}_values ''
    return 0
  fi
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}

${bins.map((bin) => `complete -F ${fn}_autocomplete ${bin}`).join('\n')}
`
}

/** Writes the script where plugin-autocomplete's bash setup (`autocomplete script bash`) sources it from. */
export async function writeBashCompletion(config: Interfaces.Config): Promise<void> {
  const folder = join(config.cacheDir, 'autocomplete', 'functions', 'bash')
  await mkdir(folder, {recursive: true})
  await writeFile(join(folder, `${config.bin}.bash`), bashCompletion(config))
}
