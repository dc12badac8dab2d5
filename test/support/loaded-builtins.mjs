// Preloaded into the CLI with `node --import` (NODE_OPTIONS): at exit, writes the names of the
// built-in modules the process loaded to $NDCLI_TEST_BUILTINS_FILE, one a line. Node's own list
// (process.moduleLoadList) includes those loaded by other built-ins, e.g. node:tls under node:https.
import {writeFileSync} from 'node:fs'

process.on('exit', () => {
  const names = process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length))
  writeFileSync(process.env.NDCLI_TEST_BUILTINS_FILE, names.join('\n') + '\n')
})
