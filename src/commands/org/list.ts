import {NdCommand, type Rendered} from '@ndcli/core'

import {organizationListView, type Organization} from '../../views/organizations.js'

export default class OrgList extends NdCommand<typeof OrgList> {
  static override summary = 'List the organizations you can see, with your role in each.'
  static override description = 'A token restricted to one organization sees only that organization.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -f json']

  async run(): Promise<Rendered<Organization>> {
    const organizations = await this.api.get<Organization[]>('/api/v1/organizations')
    return {view: organizationListView, data: organizations}
  }
}
