import { Alert } from '../ui.js'
import type { useAction } from './use-action.js'

/** What the last action of a panel came to: its error, or its success message. */
export function Outcome(props: { action: ReturnType<typeof useAction> }) {
  const { error, notice } = props.action
  if (error !== '') return <Alert kind="error">{error}</Alert>
  if (notice !== '') return <Alert kind="ok">{notice}</Alert>
  return null
}
