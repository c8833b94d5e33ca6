import { Type } from 'typebox'

/**
 * Response schemas of the FastAPI error dialect (`fastapi-dialect.ts`), shared by every surface
 * that speaks it: Secret Storage, One-time and Generate.
 */
export const DetailResponse = Type.Object({ detail: Type.String() })

export const ValidationResponse = Type.Object({
  detail: Type.Array(
    Type.Object({
      type: Type.String(),
      loc: Type.Array(Type.Union([Type.String(), Type.Number()])),
      msg: Type.String(),
    }),
  ),
})
