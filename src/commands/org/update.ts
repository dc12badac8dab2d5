import {Args, Flags} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {organizationPath, organizationView, type Organization} from '../../views/organizations.js'

export default class OrgUpdate extends NdCommand<typeof OrgUpdate> {
  static override summary = "Change an organization's description."
  static override description = 'Needs write access: a read-only role or RO token, or a token restricted to another organization, is refused.'
  static override examples = ['<%= config.bin %> <%= command.id %> ops --description "Operations team"', '<%= config.bin %> <%= command.id %> ops --description ""']
  static override args = {slug: Args.string({description: 'Organization slug (as shown in org list)', required: true})}
  static override flags = {
    description: Flags.string({description: 'New description; an empty string clears it.', required: true}),
  }

  async run(): Promise<Rendered<Organization>> {
    const {slug} = this.args
    const organization = await this.api.patch<Organization>(organizationPath(slug), {json: {description: this.flags.description || null}})
    this.info(`✓ Organization "${slug}" updated`)
    return {view: organizationView, data: organization}
  }
}
