import type { GroupView } from '../../domain/vault/group-service.js'

/** A group as Secrets v1's later API and the web app list it. */
export const toGroupJson = (group: GroupView) => ({
  id: group.id,
  name: group.name,
  creator_id: group.creatorId,
  created_at: group.createdAt,
})
