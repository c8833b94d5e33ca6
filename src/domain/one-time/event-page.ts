import type { AuditReader } from '../audit/audit-reader.js'
import type { AuditType } from '../audit/types.js'

export interface EventPageQuery {
  /** 1-based. */
  page: number
  pageSize: number
}

/** One listed event, in domain terms; surface 4 words it in its own fields. */
export interface OneTimeEventView {
  eventId: string
  clientIp: string
  userAgent: string
  kind: 'CREATE' | 'READ' | 'DELETE'
  occurredAt: string
  /** The secret's internal id, never its key: an event reader cannot open unread secrets. */
  secretId: number
}

export interface EventPage {
  total: number
  size: number
  events: OneTimeEventView[]
}

const KINDS = {
  'one-time.create': 'CREATE',
  'one-time.read': 'READ',
  'one-time.delete': 'DELETE',
} as const satisfies Partial<Record<AuditType, OneTimeEventView['kind']>>
type Listed = keyof typeof KINDS
const LISTED = Object.keys(KINDS) as Listed[]

/** Successful create, read and delete events about one kind of one-time secret, oldest first. */
export async function listOneTimeEvents(
  reader: Pick<AuditReader, 'page'>,
  targetType: string,
  query: EventPageQuery,
): Promise<EventPage> {
  const { total, events } = await reader.page(
    { types: LISTED, targetType, outcome: 'success' },
    { offset: (query.page - 1) * query.pageSize, limit: query.pageSize },
  )
  return {
    total,
    size: query.pageSize,
    events: events.map((event) => ({
      eventId: event.eventId,
      clientIp: event.clientIp,
      userAgent: event.userAgent,
      // The filter admits only the listed types.
      kind: KINDS[event.type as Listed],
      occurredAt: event.occurredAt,
      secretId: Number(event.targetId),
    })),
  }
}
