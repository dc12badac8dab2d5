// The shell has no library API of its own: plugins build on @ndcli/core.
export {}
