import type { FastifyRequest } from 'fastify'

import { contextOf } from '../../http/request-context.js'
import type { Services } from '../../services.js'

/**
 * The e-mail and password login of surfaces 1 and 2 and the web app: the accounts service's one
 * login, with its throttle and audit event, whichever of them the caller came through.
 */
export const logInByEmail = (
  accounts: Services['accounts'],
  { email, password }: { email: string; password: string },
  request: FastifyRequest,
): ReturnType<Services['accounts']['login']> =>
  accounts.login({ kind: 'email', login: email, password }, contextOf(request))
