import type { AuditEventView } from '../../src/domain/audit/views.js'
import type { SealedEventFields } from '../../web/src/vault/audit-proof.js'

/**
 * The browser bundle cannot import server code, so web/src/vault/audit-proof.ts declares the audit
 * event view of src/domain/audit/views.ts again. Not a test that runs: `npm run typecheck` fails
 * here the day the two declarations stop describing the same fields.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

export const auditEventViewsAgree: Same<AuditEventView, SealedEventFields> = true
