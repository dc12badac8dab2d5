import {NdCommand, type Rendered} from '@ndcli/core'

import {organizationListView, type OrganizationListItem} from '../../views/organizations.js'

export default class OrgList extends NdCommand<typeof OrgList> {
  static override summary = 'List the organizations you can see, with your role in each.'
  static override description =
    "A token restricted to one organization sees only that organization. An organization whose token policy the token breaks is listed with a warning saying why the token cannot reach it."
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -f json']

  async run(): Promise<Rendered<OrganizationListItem>> {
    const organizations = await this.api.get<OrganizationListItem[]>('/api/v1/organizations')
    // Listed all the same, as the server does: the warning says why this token is refused there.
    for (const {slug, unreachable_reason: reason} of organizations) {
      if (reason) this.warn(`This token cannot reach ${slug}: ${reason}`)
    }
    return {view: organizationListView, data: organizations}
  }
}
