/**
 * Where a request came from, as every audit event records it (surface 4 lists both fields; see
 * docs/surfaces/4-one-time.md). Surfaces fill it in from HTTP; the
 * domains only pass it on, so it lives in no domain's folder.
 */
export interface RequestContext {
  clientIp: string
  /** As sent; `""` when the client sent none. */
  userAgent: string
}
