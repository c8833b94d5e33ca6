import type { FastifyRequest } from 'fastify'

import type { Services } from '../services.js'
import { sessionToken } from './session-cookie.js'
import type { Principal } from '../domain/principal.js'

/** The signed-in person behind an app request: the session cookie's token, judged as any token. */
export const sessionPrincipal = (
  accounts: Services['accounts'],
  request: FastifyRequest,
): Promise<Principal> => accounts.authenticate(sessionToken(request))
