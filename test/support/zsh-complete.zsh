#!/usr/bin/env zsh
# zsh-complete.zsh SETUP WORDS: the candidates zsh's own completion system offers for the last of
# WORDS (a command line as typed, before TAB), one a line. SETUP is sourced first, as ~/.zshrc would
# (`ndcli autocomplete script zsh`). An interactive zsh runs on a pseudo-terminal (zsh/zpty), as
# completion needs its line editor; compadd is wrapped to print what each call adds, and a
# post-completion function marks the end.
zmodload zsh/zpty || exit 2
zpty shell zsh -f -i
zpty -w shell "PROMPT=''; RPROMPT=''; unsetopt zle_bracketed_paste; TERM=dumb; source ${(q)1}; bindkey '^I' complete-word"
# Calls that only collect matches into an array (-O, -A, -D) add nothing: passed through as they are.
zpty -w shell 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __matches; builtin compadd -O __matches "$@"; (( $#__matches )) && print -r -l -- "" ${^__matches/#/CANDIDATE:} >/dev/tty; builtin compadd "$@" }'
zpty -w shell 'comppostfuncs=(__completion_done); __completion_done() { print -r -l -- "" COMPLETION-DONE >/dev/tty }'
zpty -w shell 'print -r -l -- "" SHELL-READY'
# Blocking reads (the caller's timeout ends a shell that hangs); what comes before the marker is setup.
local line
while zpty -r shell line; do [[ $line == SHELL-READY* ]] && break; done
zpty -w -n shell "$2"$'\t'
while zpty -r shell line; do
  line=${line//$'\r'/}
  [[ $line == COMPLETION-DONE* ]] && { zpty -d shell; exit 0 }
  [[ $line == CANDIDATE:* ]] && print -r -- ${${line#CANDIDATE:}%$'\n'}
done
print -u2 "zsh-complete: the shell ended before the completion of: $2"
exit 1
