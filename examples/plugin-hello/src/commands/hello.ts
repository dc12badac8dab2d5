import {NdCommand, UsageError, oclif, type RecordView, type Rendered} from '@ndcli/core'

// @oclif/core through @ndcli/core: the copy the shell has already loaded (one per run).
const {Args} = oclif

export interface Greeting {
  name: string
  greeting: string
  /** Which ndcli ran the command, e.g. `ndcli/0.1.0 linux-x64 node-v20.11.0`. */
  cli: string
}

/** One declaration renders all four formats (-f table|json|simple|detailed); the command never branches on it. */
export const greetingView: RecordView<Greeting> = {
  kind: 'record',
  fields: [
    {header: 'GREETING', label: 'Greeting', value: (g) => g.greeting},
    {header: 'CLI', label: 'CLI', value: (g) => g.cli, show: 'detailed'},
  ],
}

export default class Hello extends NdCommand<typeof Hello> {
  static override summary = 'Greet someone: the example command of an ndcli plugin.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> Ada -f json']
  static override args = {
    name: Args.string({description: 'Who to greet', default: 'world'}),
  }

  async run(): Promise<Rendered<Greeting>> {
    const name = this.args.name.trim()
    // Errors are thrown, typed; NdCommand prints `Error: …` and exits with the type's code (2 here).
    if (!name) throw new UsageError(`NAME must not be empty, e.g. ${this.config.bin} hello Ada`)
    return {view: greetingView, data: {name, greeting: `Hello, ${name}!`, cli: this.config.userAgent}}
  }
}
