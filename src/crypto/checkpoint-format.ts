// Imports nothing, on purpose: the web app's bundle checks checkpoint signatures in the browser
// over this very text (web/src/vault/audit-proof.ts), so the two sides cannot drift apart.
// test/architecture/layering.test.ts keeps it import-free.

/** First line of every signed checkpoint: whose log, which format. */
export const CHECKPOINT_ORIGIN = 'strongroom-audit/v1'

/** The text a checkpoint's Ed25519 signature covers; the root hash in base64, as signed. */
export const signedCheckpointText = (
  treeSize: number,
  rootHashBase64: string,
  issuedAt: string,
): string => `${CHECKPOINT_ORIGIN}\n${treeSize}\n${rootHashBase64}\n${issuedAt}\n`

/** The wire form of a checkpoint: the audit API, exports, the checkpoint file and the web app. */
export interface CheckpointJson {
  tree_size: number
  root_hash: string
  issued_at: string
  key_id: string
  signature: string
}
