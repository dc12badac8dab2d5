import {Args} from '@oclif/core'
import {NdCommand, type Rendered} from '@ndcli/core'

import {organizationPath, organizationView, type Organization} from '../../views/organizations.js'

export default class OrgShow extends NdCommand<typeof OrgShow> {
  static override summary = 'Show one organization.'
  static override examples = ['<%= config.bin %> <%= command.id %> ops', '<%= config.bin %> <%= command.id %> ops -f detailed']
  static override args = {slug: Args.string({description: 'Organization slug (as shown in org list)', required: true})}

  async run(): Promise<Rendered<Organization>> {
    const organization = await this.api.get<Organization>(organizationPath(this.args.slug))
    return {view: organizationView, data: organization}
  }
}
