import { AppError } from '../../errors.js'

/**
 * Thrown for every wrong password, at login and wherever an account confirms itself: one
 * sentence, whether the account exists or not.
 */
export const invalidCredentials = (): AppError =>
  new AppError('UNAUTHORIZED', 'Invalid credentials', {
    subject: 'credentials',
    authFailure: 'invalid',
  })
